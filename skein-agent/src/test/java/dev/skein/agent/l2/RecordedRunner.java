package dev.skein.agent.l2;

import dev.skein.agent.CommandRunner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Answers the realiser's reads with JSON recorded from a real kernel and records the batches it is sent. */
final class RecordedRunner implements CommandRunner {
    record Call(List<String> argv, String stdin) {}

    final List<Call> calls = new ArrayList<>();
    private final String links;
    private final String fdb;
    private final Result batchResult;

    RecordedRunner(String links, String fdb, Result batchResult) {
        this.links = links;
        this.fdb = fdb;
        this.batchResult = batchResult;
    }

    /** Reads the pair of recordings named {@code <name>-links.json} and {@code <name>-fdb.json}. */
    static RecordedRunner of(String name) {
        return new RecordedRunner(resource(name + "-links.json"), resource(name + "-fdb.json"), new Result(0, "", ""));
    }

    static String resource(String file) {
        try (InputStream in = RecordedRunner.class.getResourceAsStream("/l2/" + file)) {
            if (in == null) throw new IllegalArgumentException("no recording " + file);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Result run(List<String> argv, String stdin) {
        calls.add(new Call(argv, stdin));
        if (argv.contains("-batch")) return batchResult;
        if (argv.contains("link")) return new Result(0, links, "");
        if (argv.contains("fdb")) return new Result(0, fdb, "");
        throw new AssertionError("unexpected command " + argv);
    }

    List<Call> batches() { return calls.stream().filter(c -> c.argv().contains("-batch")).toList(); }

    List<String> batchLines(String tool) {
        return batches().stream().filter(c -> c.argv().get(0).equals(tool))
                .flatMap(c -> c.stdin().lines()).toList();
    }
}
