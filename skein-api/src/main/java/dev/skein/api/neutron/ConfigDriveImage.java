package dev.skein.api.neutron;

import dev.skein.error.NeutronException;
import dev.skein.metadata.MetadataEntry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Writes config drives: the files laid out in a fresh temporary directory, then an ISO 9660 image of it with
 * Rock Ridge and Joliet names and the volume label config-2 that cloud-init looks for, made by genisoimage.
 */
public final class ConfigDriveImage {
    public static final String LABEL = "config-2";
    private static final long TIMEOUT_SECONDS = 60;

    private final String genisoimage;

    public ConfigDriveImage(String genisoimage) { this.genisoimage = genisoimage; }

    public ConfigDriveImage() { this("genisoimage"); }

    public byte[] build(Map<String, MetadataEntry> files) {
        Path work = null;
        try {
            work = Files.createTempDirectory("skein-config-drive");
            Path root = Files.createDirectory(work.resolve("root"));
            for (var f : files.entrySet()) {
                Path target = root.resolve(f.getKey()).normalize();
                if (!target.startsWith(root)) throw new IllegalArgumentException("config drive path outside the image: " + f.getKey());
                Files.createDirectories(target.getParent());
                Files.write(target, InstanceMetadataApi.render(f.getValue()).body());
            }
            Path iso = work.resolve("config-drive.iso");
            run(List.of(genisoimage, "-o", iso.toString(), "-V", LABEL, "-publisher", "Skein", "-quiet", "-J", "-r", "-l",
                    "-ldots", "-allow-lowercase", "-allow-multidot", root.toString()), work.resolve("genisoimage.log"));
            return Files.readAllBytes(iso);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the config drive", e);
        } finally {
            if (work != null) deleteTree(work);
        }
    }

    private void run(List<String> argv, Path log) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new NeutronException(503, "ServiceUnavailable", "Config drives need " + genisoimage + ", which cannot be run here.");
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(genisoimage + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing a config drive", e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(genisoimage + " failed (" + p.exitValue() + "): " + Files.readString(log).strip());
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind must not fail a request whose image is already made.
        }
    }
}
