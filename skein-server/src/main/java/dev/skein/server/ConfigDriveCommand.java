package dev.skein.server;

import dev.skein.agent.host.HttpControllerClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "config-drive", mixinStandardHelpOptions = true,
        description = {"Writes the config drive of one instance: an ISO 9660 image labelled",
                "config-2 with openstack/latest/meta_data.json, network_data.json and",
                "user_data (and copies under every dated version), for hosts whose VMs",
                "cannot reach the metadata service. DEVICE_ID is the device_id of the",
                "instance's ports; the controller needs genisoimage.",
                "Credentials as for the openstack CLI: --token or OS_TOKEN, else --user,",
                "--password and --project or OS_USERNAME, OS_PASSWORD and OS_PROJECT_NAME",
                "(Default domain); the user needs the admin role. Without --server, the",
                "controller is OS_AUTH_URL's scheme, host and port (Skein serves identity",
                "and networking on one address), so a sourced openrc is all it takes."})
final class ConfigDriveCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DEVICE_ID", description = "The instance: the device_id of its ports.")
    String deviceId;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Where to write the image (mode 0600: it holds user data and keys).")
    Path output;

    @Mixin
    ControllerLogin login;

    private final Map<String, String> env;

    ConfigDriveCommand() { this(System.getenv()); }

    ConfigDriveCommand(Map<String, String> env) { this.env = env; }

    @Override
    public Integer call() throws Exception {
        byte[] image;
        try {
            image = new HttpControllerClient(URI.create(server()), credentials()).configDrive(deviceId);
        } catch (HttpControllerClient.ControllerError e) {
            System.err.println("skein config-drive: " + e.getMessage());
            return 1;
        }
        Path dir = output.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, ".config-drive", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(tmp, image);
            Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return 0;
    }

    private String server() {
        if (login.server != null) return login.server;
        String auth = env.get("OS_AUTH_URL");
        if (auth == null || auth.isBlank()) throw login.usage("give --server URL (or OS_AUTH_URL)");
        URI u = URI.create(auth.strip());
        if (u.getScheme() == null || u.getRawAuthority() == null) throw login.usage("OS_AUTH_URL '" + auth + "' is not a URL");
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    private HttpControllerClient.Credentials credentials() {
        return login.credentials(new ControllerLogin.Fallbacks(env.get("OS_TOKEN"), env.get("OS_PASSWORD"), env.get("OS_USERNAME"),
                env.get("OS_PROJECT_NAME")), "OS_TOKEN / OS_PASSWORD");
    }
}
