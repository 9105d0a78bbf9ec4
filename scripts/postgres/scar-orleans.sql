-- Scar's PostgreSQL schema for Orleans' ADO.NET clustering and grain persistence (Invariant "Npgsql").
--
-- Written for Scar against the providers' contract (Microsoft.Orleans.Clustering.AdoNet and
-- Microsoft.Orleans.Persistence.AdoNet 10.x): the providers read the SQL they run from the table OrleansQuery
-- (QueryKey, QueryText), bind named parameters (@DeploymentId, @Address, ...) and read result columns by name.
-- The tables below are Scar's own; only the OrleansQuery table and the parameter and column names are fixed by Orleans.
--
-- Idempotent: apply it again after an upgrade (scripts/postgres-setup.sh does) to refresh the query texts; the data stays.
-- Times are timestamptz: Orleans passes UTC DateTime values.

CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64) NOT NULL PRIMARY KEY,
    querytext text        NOT NULL
);

-- Clustering ------------------------------------------------------------------------------------------------------

-- One row per cluster (Orleans' "deployment id" is the ClusterId): the membership table's version, bumped by every
-- membership change so that concurrent writers detect each other (optimistic concurrency).
CREATE TABLE IF NOT EXISTS scar_membership_version
(
    deployment_id varchar(150) NOT NULL PRIMARY KEY,
    version       integer      NOT NULL DEFAULT 0,
    changed_utc   timestamptz  NOT NULL DEFAULT now()
);

-- One row per silo incarnation (address, port, generation) of a cluster.
CREATE TABLE IF NOT EXISTS scar_membership
(
    deployment_id   varchar(150) NOT NULL REFERENCES scar_membership_version (deployment_id) ON DELETE CASCADE,
    address         varchar(45)  NOT NULL,
    port            integer      NOT NULL,
    generation      integer      NOT NULL,
    silo_name       varchar(150) NOT NULL,
    host_name       varchar(150) NOT NULL,
    status          integer      NOT NULL,
    proxy_port      integer      NOT NULL,
    suspect_times   text         NULL,
    start_time      timestamptz  NOT NULL,
    i_am_alive_time timestamptz  NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Grain state -----------------------------------------------------------------------------------------------------

-- One row per grain state of a service. version is the state's ETag; payload is NULL after a clear.
CREATE TABLE IF NOT EXISTS scar_grain_state
(
    service_id       varchar(150) NOT NULL,
    grain_type_hash  integer      NOT NULL,
    grain_type       varchar(512) NOT NULL,
    grain_id_hash    integer      NOT NULL,
    grain_id_n0      bigint       NOT NULL,
    grain_id_n1      bigint       NOT NULL,
    grain_id_string  varchar(512) NULL,
    payload          bytea        NULL,
    version          integer      NOT NULL,
    modified_utc     timestamptz  NOT NULL DEFAULT now()
);

-- A grain's identity; COALESCE because string keys of integer/Guid grains are NULL and NULLs never collide in an index.
CREATE UNIQUE INDEX IF NOT EXISTS scar_grain_state_key ON scar_grain_state
    (service_id, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_type, (COALESCE(grain_id_string, '')));

-- The queries ----------------------------------------------------------------------------------------------------

INSERT INTO orleansquery (querykey, querytext) VALUES

-- Creates the cluster's version row; one boolean column: whether this call created it.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO scar_membership_version (deployment_id) VALUES (@DeploymentId)
    ON CONFLICT DO NOTHING
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM created) AS "Created";
$q$),

-- Adds a silo if the table is still at @Version (and bumps it); one boolean column: whether the silo was added.
('InsertMembershipKey', $q$
WITH bumped AS (
    UPDATE scar_membership_version SET version = version + 1, changed_utc = now()
    WHERE deployment_id = @DeploymentId AND version = @Version
    RETURNING deployment_id),
added AS (
    INSERT INTO scar_membership (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive_time)
    SELECT bumped.deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime FROM bumped
    ON CONFLICT DO NOTHING
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM added) AS "Added";
$q$),

-- Changes a silo's status and suspicions if the table is still at @Version (and bumps it); one boolean column.
('UpdateMembershipKey', $q$
WITH bumped AS (
    UPDATE scar_membership_version SET version = version + 1, changed_utc = now()
    WHERE deployment_id = @DeploymentId AND version = @Version
    RETURNING deployment_id),
changed AS (
    UPDATE scar_membership m SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
    FROM bumped
    WHERE m.deployment_id = bumped.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM changed) AS "Changed";
$q$),

-- A silo's heartbeat: not a membership change, so the version stays.
('UpdateIAmAlivetimeKey', $q$
UPDATE scar_membership SET i_am_alive_time = @IAmAliveTime
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation;
$q$),

-- The table version with one silo's row (its columns NULL when the silo is not in the table).
('MembershipReadRowKey', $q$
SELECT v.version AS "Version", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
FROM scar_membership_version v
LEFT JOIN scar_membership m
       ON m.deployment_id = v.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.deployment_id = @DeploymentId;
$q$),

-- The table version with every silo's row (one row with NULL silo columns when there is none).
('MembershipReadAllKey', $q$
SELECT v.version AS "Version", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
FROM scar_membership_version v
LEFT JOIN scar_membership m ON m.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId;
$q$),

-- Gateways of silos in status @Status (Active), for clients.
('GatewaysQueryKey', $q$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM scar_membership
WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0;
$q$),

-- Forgets a whole cluster (its silo rows go with the version row).
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM scar_membership_version WHERE deployment_id = @DeploymentId;
$q$),

-- Removes rows of dead silos (status 6) not heard of since @IAmAliveTime.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM scar_membership
WHERE deployment_id = @DeploymentId AND status = 6 AND i_am_alive_time < @IAmAliveTime;
$q$),

-- A grain's state: the payload (NULL when cleared) and its version, or no row.
('ReadFromStorageKey', $q$
SELECT payload AS "PayloadBinary", version AS "Version"
FROM scar_grain_state
WHERE service_id = @ServiceId AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
  AND COALESCE(grain_id_string, '') = COALESCE(@GrainIdExtensionString, '')
LIMIT 1;
$q$),

-- Writes a state: creates it (version 1) when @GrainStateVersion is NULL, otherwise replaces it if it is still at
-- @GrainStateVersion. Returns NewGrainStateVersion, or no row on a version conflict.
('WriteToStorageKey', $q$
WITH replaced AS (
    UPDATE scar_grain_state SET payload = @PayloadBinary, version = version + 1, modified_utc = now()
    WHERE @GrainStateVersion IS NOT NULL AND version = @GrainStateVersion
      AND service_id = @ServiceId AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
      AND COALESCE(grain_id_string, '') = COALESCE(@GrainIdExtensionString, '')
    RETURNING version),
created AS (
    INSERT INTO scar_grain_state (service_id, grain_type_hash, grain_type, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_string, payload, version)
    SELECT @ServiceId, @GrainTypeHash, @GrainTypeString, @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version)
SELECT version AS "NewGrainStateVersion" FROM replaced
UNION ALL
SELECT version FROM created;
$q$),

-- Clears a state (payload NULL, version bumped) if it is still at @GrainStateVersion; returns the new version.
('ClearStorageKey', $q$
UPDATE scar_grain_state SET payload = NULL, version = version + 1, modified_utc = now()
WHERE version = @GrainStateVersion
  AND service_id = @ServiceId AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
  AND COALESCE(grain_id_string, '') = COALESCE(@GrainIdExtensionString, '')
RETURNING version AS "NewGrainStateVersion";
$q$),

-- Deletes a state's row if it is still at @GrainStateVersion (DeleteStateOnClear); returns a version past it.
('DeleteStorageKey', $q$
DELETE FROM scar_grain_state
WHERE version = @GrainStateVersion
  AND service_id = @ServiceId AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
  AND COALESCE(grain_id_string, '') = COALESCE(@GrainIdExtensionString, '')
RETURNING version + 1 AS "NewGrainStateVersion";
$q$)

ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
