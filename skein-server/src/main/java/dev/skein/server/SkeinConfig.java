package dev.skein.server;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The YAML configuration file; every setting has a default so an empty or missing file is valid. */
@JsonIgnoreProperties(ignoreUnknown = false)
public final class SkeinConfig {
    public String listen = "127.0.0.1:9696";
    public String region = "RegionOne";
    public Database database = new Database();
    public Identity identity = new Identity();
    public Network network = new Network();
    public Quotas quotas = new Quotas();

    public static final class Database {
        /** A JDBC URL; empty means the embedded database in the data directory. */
        public String url;
        public String user;
        public String password;
    }

    public static final class Identity {
        public String adminPassword;
        public long tokenTtlSeconds = 3600;
        public List<ProjectEntry> projects = new ArrayList<>();
        public List<UserEntry> users = new ArrayList<>();
    }

    public static final class ProjectEntry {
        public String name;
        public String description;
    }

    public static final class UserEntry {
        public String name;
        public String password;
        public String project;
        public List<String> roles = new ArrayList<>(List.of("member"));
    }

    public static final class Network {
        public String baseMac = "fa:16:3e:00:00:00";
        @JsonProperty("vxlan_vni_ranges")
        public List<String> vxlanVniRanges = new ArrayList<>(List.of("1:65535"));
        public int globalPhysnetMtu = 1500;
    }

    /** Default per-project limits, Neutron's unless configured; -1 means unlimited. Admins override them per project. */
    public static final class Quotas {
        public int network = 100;
        public int subnet = 100;
        public int port = 500;
        public int router = 10;
        public int floatingip = 50;
        public int securityGroup = 10;
        public int securityGroupRule = 100;
        public int rbacPolicy = 10;
    }

    public static SkeinConfig load(Path file) throws IOException {
        if (file == null || !Files.exists(file)) return new SkeinConfig();
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        SkeinConfig c = yaml.readValue(file.toFile(), SkeinConfig.class);
        return c == null ? new SkeinConfig() : c;
    }
}
