package dev.skein.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "skein", mixinStandardHelpOptions = true, version = "skein 0.1.0",
        description = "Skein: a cloud network service with an OpenStack Networking API v2.0.",
        subcommands = {Main.AllInOne.class, CommandLine.HelpCommand.class})
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Command(name = "all-in-one", mixinStandardHelpOptions = true,
            description = {"Runs the controller (Networking API v2.0 and a built-in Keystone v3 subset at /identity/v3)",
                    "with the embedded database in the data directory, until Ctrl-C or SIGTERM.",
                    "The admin password comes from SKEIN_ADMIN_PASSWORD, else identity.admin_password in the config",
                    "file; if neither is set on the first start, one is generated and written to DATA_DIR/openrc."})
    static final class AllInOne implements Callable<Integer> {
        @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address of the API (default: 127.0.0.1:9696, or 'listen' in the config file).")
        String listen;

        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:SKEIN_DATA_DIR:-var}",
                description = "Database, token key and generated openrc (default: ./var).")
        Path dataDir;

        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (default: DATA_DIR/skein.yaml if it exists).")
        Path config;

        @Override
        public Integer call() throws Exception {
            SkeinConfig cfg = SkeinConfig.load(config != null ? config : dataDir.resolve("skein.yaml"));
            if (config != null && !config.toFile().exists()) throw new CommandLine.ParameterException(
                    new CommandLine(this), "config file " + config + " does not exist");
            String[] hp = parseListen(listen != null ? listen : cfg.listen);
            Controller.AdminPassword admin = adminPassword(cfg);
            Controller controller = Controller.start(cfg, dataDir, hp[0], Integer.parseInt(hp[1]), admin);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                LOG.info("Shutting down");
                controller.close();
                stopped.countDown();
            }, "skein-shutdown"));
            String base = "http://" + hp[0] + ":" + controller.port();
            LOG.info("Skein all-in-one ready: Networking API at {}/v2.0, identity at {}/identity/v3, data in {}",
                    base, base, dataDir.toAbsolutePath());
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
