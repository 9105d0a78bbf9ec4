using System.Net;
using Orleans.Runtime;
using Scar.Grains;

namespace Scar.Grains.Tests;

public sealed class ShardSpreadPlacementTests
{
    private static SiloAddress Silo(int port) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 1);

    [Fact]
    public void Shards_of_each_file_go_round_robin_over_the_silos_whatever_order_they_are_listed_in()
    {
        var silos = new[] { Silo(11113), Silo(11111), Silo(11112) };
        var reversed = silos.Reverse().ToArray();
        var perSilo = new Dictionary<SiloAddress, int>();
        foreach (string file in new[] { "/data/image.npy", "/data/text.npy" })
        {
            for (int i = 0; i < 8; i++)
            {
                string key = ShardKeys.Key("job-1", file, i * 131072L, 131072, i);
                var chosen = ShardSpreadPlacementDirector.Choose(silos, key);
                Assert.Equal(chosen, ShardSpreadPlacementDirector.Choose(reversed, key));
                perSilo[chosen] = perSilo.GetValueOrDefault(chosen) + 1;
            }
        }

        // 16 shards over 3 silos: 6, 6, 4 (shard i of each file on silo i mod 3), never all on one.
        Assert.Equal([4, 6, 6], perSilo.Values.Order().ToArray());
        Assert.Equal(Silo(11111), ShardSpreadPlacementDirector.Choose(silos, ShardKeys.Key("j", "/f.npy", 0, 10, 0)));
        Assert.Equal(Silo(11112), ShardSpreadPlacementDirector.Choose(silos, ShardKeys.Key("j", "/f.npy", 10, 10, 1)));
    }

    [Fact]
    public void The_index_is_read_from_the_end_of_the_key_even_when_the_path_has_bars()
    {
        Assert.Equal(5, ShardKeys.Index(ShardKeys.Key("job|x", "/odd|path.npy", 50, 10, 5)));
        Assert.Equal(-1, ShardKeys.Index("job|/f.npy|0|10|"));
        Assert.Equal(-1, ShardKeys.Index("no-index"));
    }
}
