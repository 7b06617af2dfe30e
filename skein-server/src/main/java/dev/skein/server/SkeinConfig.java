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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The YAML configuration file; every setting has a default so an empty or missing file is valid. */
@JsonIgnoreProperties(ignoreUnknown = false)
public final class SkeinConfig {
    public String listen = "127.0.0.1:9696";
    public String region = "RegionOne";
    public Database database = new Database();
    public Identity identity = new Identity();
    public Network network = new Network();
    public Quotas quotas = new Quotas();
    public Agents agents = new Agents();
    public Bus bus = new Bus();
    public LocalAgent localAgent = new LocalAgent();
    public Dhcp dhcp = new Dhcp();

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

    public static final class Agents {
        /** Seconds without a heartbeat after which an agent is shown as not alive (Neutron's default). */
        public long agentDownTime = 75;
        /**
         * Seconds between the controller's checks for dead network nodes, whose DHCP servers and routers it moves;
         * 0 means a tenth of agent_down_time, within 1 to 10 seconds.
         */
        public long failoverCheckInterval = 0;
    }

    public static final class Bus {
        /** RabbitMQ as amqp://user:password@host:port (add /vhost for another vhost); empty means the in-process bus. */
        public String amqpUrl;
    }

    /** What the DHCP servers on network nodes hand out; Neutron's option names and defaults. */
    public static final class Dhcp {
        /** The domain clients are told; Neutron's dns_domain. */
        public String dnsDomain = "openstacklocal";
        /** Seconds a lease lasts; Neutron's dhcp_lease_duration (no infinite leases). */
        public int dhcpLeaseDuration = 86400;
        /** Serve metadata from the DHCP namespace on networks with a subnet no router serves. */
        public boolean enableIsolatedMetadata = true;
        /** Serve metadata from the DHCP namespace on every network. */
        public boolean forceMetadata = false;
    }

    /** The agent all-in-one runs in its own process for the local host. */
    public static final class LocalAgent {
        public boolean enabled = true;
        /** Defaults to the machine's host name. */
        public String host;
        public String localIp = "127.0.0.1";
        public Map<String, String> bridgeMappings = new LinkedHashMap<>();
        public String netns;
        public long resyncInterval = 45;
        /** compute and/or network; empty means both, which is what an all-in-one host is. */
        public List<String> roles = new ArrayList<>();
        /** Defaults to the agent directory inside the data directory. */
        public Path stateDir;
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
