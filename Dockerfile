# The Scar silo image. Two targets:
#   docker build --target cpu -t scar-silo:cpu .
#   docker build --target gpu -t scar-silo:gpu .    (CUDA + cuDNN runtime for ONNX Runtime's CUDA provider)
# The silo is configured by SCAR_* variables (src/Silo/SiloSettings.cs; k8s/base/silo.yaml sets them).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Silo/Scar.Silo.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS cpu
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends libopenblas0-pthread ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENV SCAR_SILO_PORT=11111 SCAR_GATEWAY_PORT=30000 SCAR_HTTP_PORT=8080 DOTNET_gcServer=1
EXPOSE 11111 30000 8080
USER app
ENTRYPOINT ["dotnet", "Scar.Silo.dll"]

FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 AS gpu
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends libicu74 libssl3t64 ca-certificates libopenblas0-pthread ffmpeg \
    && rm -rf /var/lib/apt/lists/* && useradd --uid 1654 --create-home app
COPY --from=mcr.microsoft.com/dotnet/runtime:10.0 /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
WORKDIR /app
COPY --from=build /app .
ENV SCAR_SILO_PORT=11111 SCAR_GATEWAY_PORT=30000 SCAR_HTTP_PORT=8080 DOTNET_gcServer=1 NVIDIA_VISIBLE_DEVICES=all NVIDIA_DRIVER_CAPABILITIES=compute,utility
EXPOSE 11111 30000 8080
USER app
ENTRYPOINT ["dotnet", "Scar.Silo.dll"]
