package dev.skein.agent.dhcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the kernel says about processes and named network namespaces, read from /proc and /run/netns without
 * starting a command, so that checking an unchanged DHCP server costs a few file reads.
 */
public interface ProcessTable {

    /** The argument vector of a live process; empty when there is none (a zombie has none either). */
    List<String> cmdline(long pid);

    /** The identity ("net:[inode]") of the network namespace a process runs in, or null. */
    String netnsOf(long pid);

    /** The identity of a named network namespace (as {@code ip netns} names it), or null if it does not exist. */
    String netnsId(String name);

    ProcessTable LINUX = new ProcessTable() {
        private static final Path NETNS_DIR = Path.of("/run/netns");

        @Override
        public List<String> cmdline(long pid) {
            try {
                String raw = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
                return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
            } catch (IOException e) {
                return List.of();
            }
        }

        @Override
        public String netnsOf(long pid) {
            try {
                return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).toString();
            } catch (IOException e) {
                return null;
            }
        }

        @Override
        public String netnsId(String name) {
            try {
                return "net:[" + Files.getAttribute(NETNS_DIR.resolve(name), "unix:ino") + "]";
            } catch (IOException | UnsupportedOperationException e) {
                return null;
            }
        }
    };
}
