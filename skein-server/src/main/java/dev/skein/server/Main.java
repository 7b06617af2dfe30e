package dev.skein.server;

import dev.skein.agent.host.AgentSettings;
import dev.skein.agent.host.HostAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "skein", mixinStandardHelpOptions = true, version = "skein 0.1.0",
        description = "Skein: a cloud network service with an OpenStack Networking API v2.0.",
        subcommands = {Main.AllInOne.class, Main.Server.class, AgentCommand.class, ConfigDriveCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Command(name = "all-in-one", mixinStandardHelpOptions = true,
            description = {"Runs the controller and the local host's agent in one process.",
                    "The controller serves the Networking API v2.0 and a built-in Keystone v3",
                    "subset at /identity/v3, with the embedded database in the data directory,",
                    "until Ctrl-C or SIGTERM. The agent (in-process bus) plugs the taps of ports",
                    "bound to its host name (binding:host_id) into their networks' bridges;",
                    "without root or taps it simply finds none. It is a compute host and a network",
                    "node, so DHCP servers and routers run on it. Config file section local_agent:",
                    "enabled, host, local_ip, bridge_mappings, netns, resync_interval, roles (default",
                    "[compute, network]), state_dir (default DATA_DIR/agent).",
                    "The admin password comes from SKEIN_ADMIN_PASSWORD, else",
                    "identity.admin_password in the config file; if neither is set on the first",
                    "start, one is generated and written to DATA_DIR/openrc."})
    static final class AllInOne extends ControllerCommand {
        @Option(names = "--agent-host", paramLabel = "NAME",
                description = "Host name the built-in agent serves, i.e. the binding:host_id of its ports (default: "
                        + "local_agent.host in the config file, else this machine's host name).")
        String agentHost;

        @Option(names = "--agent-local-ip", paramLabel = "IP",
                description = "Underlay (VXLAN endpoint) address of the built-in agent (default: local_agent.local_ip "
                        + "in the config file, else 127.0.0.1).")
        String agentLocalIp;

        @Option(names = "--no-agent", description = "Run without the built-in agent (as local_agent.enabled: false does).")
        boolean noAgent;

        @Override
        String name() { return "all-in-one"; }

        @Override
        HostAgent startAgent(SkeinConfig cfg, Controller controller) {
            SkeinConfig.LocalAgent c = cfg.localAgent;
            if (noAgent || !c.enabled) return null;
            if (c.resyncInterval < 1) throw new IllegalArgumentException("local_agent.resync_interval must be at least 1 second");
            String host = agentHost != null ? agentHost : c.host != null ? c.host : AgentCommand.machineHostName();
            Set<AgentSettings.Role> roles;
            try {
                roles = AgentCommand.roles(c.roles);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("local_agent.roles: " + e.getMessage());
            }
            // In the data directory, so that several all-in-ones on one machine never share the agent's files.
            Path stateDir = c.stateDir != null ? c.stateDir : dataDir.resolve("agent").toAbsolutePath();
            return controller.startAgent(new AgentSettings(host, agentLocalIp != null ? agentLocalIp : c.localIp,
                    c.bridgeMappings, c.netns, AgentSettings.DEFAULT_HEARTBEAT, Duration.ofSeconds(c.resyncInterval),
                    AgentSettings.DEFAULT_DEBOUNCE, roles, stateDir));
        }
    }

    @Command(name = "server", mixinStandardHelpOptions = true,
            description = {"Runs the controller alone: all-in-one without the built-in agent.",
                    "Agents run on the hosts as 'skein agent' and hear about changes over",
                    "RabbitMQ (bus.amqp_url in the config file); several servers may share",
                    "one PostgreSQL database (database.url)."})
    static final class Server extends ControllerCommand {
        @Override
        String name() { return "server"; }

        @Override
        HostAgent startAgent(SkeinConfig cfg, Controller controller) { return null; }
    }

    /** The options and the life cycle shared by the commands that run a controller. */
    abstract static class ControllerCommand implements Callable<Integer> {
        @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address of the API (default: 127.0.0.1:9696, or 'listen' in the config file).")
        String listen;

        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:SKEIN_DATA_DIR:-var}",
                description = "Database, token key and generated openrc (default: ./var).")
        Path dataDir;

        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (default: DATA_DIR/skein.yaml if it exists).")
        Path config;

        abstract String name();

        /** The agent this command runs beside the controller, or null. */
        abstract HostAgent startAgent(SkeinConfig cfg, Controller controller);

        @Override
        public Integer call() throws Exception {
            SkeinConfig cfg = SkeinConfig.load(config != null ? config : dataDir.resolve("skein.yaml"));
            if (config != null && !config.toFile().exists()) throw new CommandLine.ParameterException(
                    new CommandLine(this), "config file " + config + " does not exist");
            String[] hp = parseListen(listen != null ? listen : cfg.listen);
            Controller.AdminPassword admin = adminPassword(cfg);
            Controller controller = Controller.start(cfg, dataDir, hp[0], Integer.parseInt(hp[1]), admin);
            HostAgent agent;
            try {
                agent = startAgent(cfg, controller);
            } catch (RuntimeException e) {
                controller.close();
                throw e;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                LOG.info("Shutting down");
                if (agent != null) agent.close();
                controller.close();
                stopped.countDown();
            }, "skein-shutdown"));
            String base = "http://" + hp[0] + ":" + controller.port();
            LOG.info("Skein {} ready: Networking API at {}/v2.0, identity at {}/identity/v3, data in {}",
                    name(), base, base, dataDir.toAbsolutePath());
            LOG.info("openstack CLI: export OS_AUTH_URL={}/identity/v3 OS_IDENTITY_API_VERSION=3 OS_USERNAME=admin "
                    + "OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_PASSWORD=<{}>",
                    base, admin.generated() ? "see " + dataDir.resolve("openrc") : "the admin password you configured");
            stopped.await();
            return 0;
        }

        private static Controller.AdminPassword adminPassword(SkeinConfig cfg) {
            String env = System.getenv("SKEIN_ADMIN_PASSWORD");
            if (env != null && !env.isEmpty()) return new Controller.AdminPassword(env, false);
            if (cfg.identity.adminPassword != null) return new Controller.AdminPassword(cfg.identity.adminPassword, false);
            byte[] b = new byte[18];
            new SecureRandom().nextBytes(b);
            return new Controller.AdminPassword(Base64.getUrlEncoder().withoutPadding().encodeToString(b), true);
        }

        static String[] parseListen(String s) {
            int colon = s.lastIndexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("--listen must be HOST:PORT, not '" + s + "'");
            String host = s.substring(0, colon).replace("[", "").replace("]", "");
            String port = s.substring(colon + 1);
            try {
                int p = Integer.parseInt(port);
                if (p < 0 || p > 65535) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--listen port must be 0..65535, not '" + port + "'");
            }
            return new String[]{host, port};
        }
    }
}
