package dev.skein.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads files out of an ISO 9660 image the way a guest would: mounted read-only through a loop device when this
 * machine can (root and a kernel with iso9660), otherwise with isoinfo from genisoimage, which reads the same
 * Rock Ridge names without the kernel.
 */
final class IsoImage implements AutoCloseable {
    private final Path image;
    private final Path mountPoint;

    private IsoImage(Path image, Path mountPoint) {
        this.image = image;
        this.mountPoint = mountPoint;
    }

    static IsoImage open(Path image) {
        if (kernelReadsIso()) {
            try {
                Path dir = Files.createTempDirectory("skein-iso");
                if (run(List.of("mount", "-o", "loop,ro", "-t", "iso9660", image.toString(), dir.toString())) == 0) {
                    return new IsoImage(image, dir);
                }
                Files.delete(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new IsoImage(image, null);
    }

    /** True when the image is mounted; false when its files are read with isoinfo. */
    boolean mounted() { return mountPoint != null; }

    /** The file at path (e.g. openstack/latest/meta_data.json), or null if the image has none there. */
    byte[] file(String path) {
        if (mountPoint == null) {
            if (!listing().contains("/" + path)) return null;
            Ran extracted = exec(List.of("isoinfo", "-R", "-i", image.toString(), "-x", "/" + path));
            if (extracted.exit() != 0) throw new IllegalStateException("isoinfo -x " + path + " failed");
            return extracted.out();
        }
        Path f = mountPoint.resolve(path);
        try {
            return Files.isRegularFile(f) ? Files.readAllBytes(f) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The volume label (isoinfo -d). */
    String volumeId() {
        for (String line : output(List.of("isoinfo", "-d", "-i", image.toString())).split("\n")) {
            if (line.startsWith("Volume id:")) return line.substring("Volume id:".length()).strip();
        }
        return null;
    }

    /** Every file's path with a leading slash, from isoinfo's Rock Ridge listing. */
    private List<String> listing() {
        return output(List.of("isoinfo", "-R", "-f", "-i", image.toString())).lines().toList();
    }

    @Override
    public void close() {
        if (mountPoint == null) return;
        run(List.of("umount", mountPoint.toString()));
        try {
            Files.deleteIfExists(mountPoint);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean kernelReadsIso() {
        try {
            return Files.readString(Path.of("/proc/filesystems")).contains("iso9660")
                    && output(List.of("id", "-u")).strip().equals("0");
        } catch (IOException e) {
            return false;
        }
    }

    private static int run(List<String> argv) { return exec(argv).exit(); }

    private static String output(List<String> argv) { return new String(exec(argv).out()); }

    private record Ran(int exit, byte[] out) {}

    /** Runs argv to its end, keeping its standard output; its error output is of no use to the test. */
    private static Ran exec(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            return new Ran(p.waitFor(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
