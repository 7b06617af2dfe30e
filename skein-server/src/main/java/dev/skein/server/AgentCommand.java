package dev.skein.server;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.skein.agent.ProcessRunner;
import dev.skein.agent.host.AgentSettings;
import dev.skein.agent.host.HostAgent;
import dev.skein.agent.host.HttpControllerClient;
import dev.skein.bus.AmqpBus;
import dev.skein.bus.Bus;
import dev.skein.bus.InProcessBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Runs the agent of one host.",
                "It registers with the controller at --server and heartbeats, follows the",
                "host's plan (deltas over RabbitMQ with --amqp-url, full fetches over HTTP)",
                "and realises it in the kernel: a bridge and a VXLAN device per network with",
                "ports on the host, flat networks on the mapped interfaces, and every port's",
                "tap (named tap + the first 11 characters of the port id, created by the",
                "hypervisor) plugged into its bridge; then it reports port status. Changing",
                "the kernel needs root. --role says what the host is for: compute (runs VMs),",
                "network (a network node: runs DHCP servers and routers the controller",
                "schedules onto it) or both, the default.",
                "Credentials: --token (or SKEIN_AGENT_TOKEN), else --user and --project with",
                "--password (or SKEIN_AGENT_PASSWORD); the user needs the admin role.",
                "Every option can also be given in a YAML file (--config) under its long",
                "name with '_' for '-', e.g. local_ip: 192.0.2.7 or",
                "bridge_mappings: {physnet1: eth1}."})
final class AgentCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCommand.class);

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file with any of the options below; options given on the command line win.")
    Path config;

    @Option(names = "--host", paramLabel = "NAME", description = "The host this agent serves: ports whose binding:host_id is NAME (default: this machine's host name).")
    String host;

    @Option(names = "--local-ip", paramLabel = "IP", description = "This host's underlay address, the local end of its VXLAN tunnels.")
    String localIp;

    @Mixin
    ControllerLogin login;

    @Option(names = "--amqp-url", paramLabel = "URL", description = "RabbitMQ, e.g. amqp://user:password@controller:5672 (a path names the vhost: /%%2F is the default one). "
            + "Without it changes reach the agent only at its periodic resyncs.")
    String amqpUrl;

    @Option(names = "--netns", paramLabel = "NS", description = "Act inside network namespace NS as if it were the host (to simulate several hosts on one machine).")
    String netns;

    @Option(names = "--bridge-mapping", paramLabel = "PHYSNET:IFACE", description = "Interface that carries flat networks of a physical network; repeatable.")
    List<String> bridgeMappings;

    @Option(names = "--heartbeat-interval", paramLabel = "SECONDS", description = "Seconds between heartbeats (default: 10).")
    Long heartbeatInterval;

    @Option(names = "--resync-interval", paramLabel = "SECONDS", description = "Seconds between full plan fetches whatever the bus says (default: 45).")
    Long resyncInterval;

    @Option(names = "--role", paramLabel = "ROLE", split = ",",
            description = "compute or network; repeatable or comma-separated (default: both).")
    List<String> roles;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the agent keeps the files of the processes it runs, such as DHCP servers (default: /var/lib/skein/agent-HOST, "
                    + "with -NS appended under --netns).")
    Path stateDir;

    /** The YAML form of the options. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    static final class File {
        public String host;
        public String localIp;
        public String server;
        public String amqpUrl;
        public String netns;
        public Map<String, String> bridgeMappings = new LinkedHashMap<>();
        public String user;
        public String password;
        public String project;
        public String token;
        public Long heartbeatInterval;
        public Long resyncInterval;
        public List<String> roles;
        public Path stateDir;
    }

    @Override
    public Integer call() throws Exception {
        File f = load(config);
        String hostName = first(host, f.host, machineHostName());
        String url = first(login.server, f.server, null);
        if (url == null) throw new CommandLine.ParameterException(new CommandLine(this), "--server URL is required");
        Map<String, String> mappings = new LinkedHashMap<>(f.bridgeMappings);
        if (bridgeMappings != null) {
            for (String m : bridgeMappings) {
                int colon = m.indexOf(':');
                if (colon <= 0 || colon == m.length() - 1) {
                    throw new CommandLine.ParameterException(new CommandLine(this), "--bridge-mapping must be PHYSNET:IFACE, not '" + m + "'");
                }
                mappings.put(m.substring(0, colon), m.substring(colon + 1));
            }
        }
        long heartbeat = first(heartbeatInterval, f.heartbeatInterval, AgentSettings.DEFAULT_HEARTBEAT.toSeconds());
        long resync = first(resyncInterval, f.resyncInterval, AgentSettings.DEFAULT_RESYNC.toSeconds());
        if (heartbeat < 1 || resync < 1) throw new CommandLine.ParameterException(new CommandLine(this), "intervals must be at least 1 second");
        Set<AgentSettings.Role> hostRoles;
        try {
            hostRoles = roles(first(roles, f.roles, null));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
        AgentSettings settings = new AgentSettings(hostName, first(localIp, f.localIp, null), mappings, first(netns, f.netns, null),
                Duration.ofSeconds(heartbeat), Duration.ofSeconds(resync), AgentSettings.DEFAULT_DEBOUNCE, hostRoles,
                first(stateDir, f.stateDir, null));

        HttpControllerClient controller = new HttpControllerClient(URI.create(url), credentials(f));
        String amqp = first(amqpUrl, f.amqpUrl, null);
        Bus bus;
        if (amqp == null) {
            LOG.warn("no --amqp-url: changes reach this agent only at its resyncs, every {} s", resync);
            bus = new InProcessBus();
        } else {
            bus = new AmqpBus(amqp, "skein-agent-" + hostName);
        }
        HostAgent agent = new HostAgent(settings, controller, bus, new ProcessRunner()).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            bus.close();
            stopped.countDown();
        }, "skein-agent-shutdown"));
        stopped.await();
        return 0;
    }

    private HttpControllerClient.Credentials credentials(File f) {
        return login.credentials(new ControllerLogin.Fallbacks(first(f.token, System.getenv("SKEIN_AGENT_TOKEN")),
                first(f.password, System.getenv("SKEIN_AGENT_PASSWORD")), f.user, f.project), "SKEIN_AGENT_TOKEN / SKEIN_AGENT_PASSWORD");
    }

    private static File load(Path file) throws IOException {
        if (file == null) return new File();
        if (!Files.exists(file)) throw new IOException("config file " + file + " does not exist");
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        File f = yaml.readValue(file.toFile(), File.class);
        return f == null ? new File() : f;
    }

    /** Role names as given on the command line or in a config file; none means both. */
    static Set<AgentSettings.Role> roles(List<String> names) {
        Set<AgentSettings.Role> out = EnumSet.noneOf(AgentSettings.Role.class);
        if (names == null || names.isEmpty()) return EnumSet.allOf(AgentSettings.Role.class);
        for (String n : names) {
            String name = n.strip().toUpperCase(Locale.ROOT);
            if (Arrays.stream(AgentSettings.Role.values()).noneMatch(r -> r.name().equals(name))) {
                throw new IllegalArgumentException("a role is compute or network, not '" + n + "'");
            }
            out.add(AgentSettings.Role.valueOf(name));
        }
        return out;
    }

    @SafeVarargs
    private static <T> T first(T... candidates) {
        for (T c : candidates) if (c != null) return c;
        return null;
    }

    /** What the kernel calls this machine (gethostname), which is what Nova reports as a port's binding:host_id. */
    static String machineHostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!name.isEmpty()) return name;
        } catch (IOException e) {
            // not Linux, or no procfs: ask the resolver
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
