package dev.skein.agent;

import java.util.List;

/**
 * Runs one external command. The realisers reach the kernel only through this, so their diff logic can be
 * tested against recorded output without a kernel.
 */
public interface CommandRunner {

    record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() { return exitCode == 0; }
    }

    /** Runs argv with stdin (may be empty) fed to it and waits for it to finish. */
    Result run(List<String> argv, String stdin);
}
