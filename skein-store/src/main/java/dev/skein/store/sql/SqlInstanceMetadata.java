package dev.skein.store.sql;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.skein.model.InstanceMetadata;
import dev.skein.store.InstanceMetadataRepository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class SqlInstanceMetadata implements InstanceMetadataRepository {
    private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() {};
    private static final String COLUMNS = "device_id, hostname, name, public_keys, user_data, meta, availability_zone, "
            + "created_at, updated_at, revision_number";

    private final SqlTx tx;

    SqlInstanceMetadata(SqlTx tx) { this.tx = tx; }

    @Override
    public Optional<InstanceMetadata> get(String deviceId) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM instance_metadata WHERE device_id = :d")
                .bind("d", deviceId).map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public boolean tryInsert(InstanceMetadata m) {
        return tx.tryUnique(() -> tx.handle().createUpdate("INSERT INTO instance_metadata (" + COLUMNS + ") VALUES (:device_id, "
                        + ":hostname, :name, :public_keys, :user_data, :meta, :availability_zone, :created_at, :updated_at, :revision)")
                .bind("device_id", m.deviceId()).bind("created_at", m.createdAt().getEpochSecond())
                .bindMap(values(m)).execute() == 1);
    }

    @Override
    public void update(InstanceMetadata m) {
        tx.handle().createUpdate("UPDATE instance_metadata SET hostname = :hostname, name = :name, public_keys = :public_keys, "
                        + "user_data = :user_data, meta = :meta, availability_zone = :availability_zone, updated_at = :updated_at, "
                        + "revision_number = :revision WHERE device_id = :device_id")
                .bind("device_id", m.deviceId()).bindMap(values(m)).execute();
    }

    @Override
    public boolean delete(String deviceId) {
        return tx.handle().createUpdate("DELETE FROM instance_metadata WHERE device_id = :d").bind("d", deviceId).execute() == 1;
    }

    @Override
    public Optional<String> portAt(Collection<String> subnetIds, String address) {
        if (subnetIds.isEmpty()) return Optional.empty();
        // The primary key (subnet_id, ip_address) answers this with one probe per subnet.
        return SqlHostPlans.inChunks(subnetIds, chunk -> tx.handle()
                .createQuery("SELECT port_id FROM ip_allocations WHERE subnet_id IN (<subnets>) AND ip_address = :a")
                .bindList("subnets", chunk).bind("a", address).mapTo(String.class).list()).stream().findFirst();
    }

    @Override
    public List<String> portsOfDevice(String deviceId) {
        return tx.handle().createQuery("SELECT id FROM ports WHERE device_id = :d ORDER BY seq")
                .bind("d", deviceId).mapTo(String.class).list();
    }

    private static Map<String, Object> values(InstanceMetadata m) {
        Map<String, Object> v = new HashMap<>();
        v.put("hostname", m.hostname());
        v.put("name", m.name());
        v.put("public_keys", Json.write(m.publicKeys()));
        v.put("user_data", m.userData());
        v.put("meta", Json.write(m.meta()));
        v.put("availability_zone", m.availabilityZone());
        v.put("updated_at", m.updatedAt().getEpochSecond());
        v.put("revision", m.revision());
        return v;
    }

    private static InstanceMetadata row(ResultSet rs) throws SQLException {
        return new InstanceMetadata(rs.getString("device_id"), rs.getString("hostname"), rs.getString("name"),
                Json.read(rs.getString("public_keys"), STRINGS), rs.getString("user_data"), Json.read(rs.getString("meta"), STRINGS),
                rs.getString("availability_zone"), Instant.ofEpochSecond(rs.getLong("created_at")),
                Instant.ofEpochSecond(rs.getLong("updated_at")), rs.getLong("revision_number"));
    }
}
