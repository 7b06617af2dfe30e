package dev.skein.agent.fw;

import dev.skein.agent.CommandRunner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers the realiser's reads with {@code nft -j list table} output recorded from a real kernel
 * (src/test/resources/fw) and records the transactions it is sent; a table without a recording does not exist.
 */
final class RecordedNft implements CommandRunner {
    record Call(List<String> argv, String stdin) {}

    final List<Call> calls = new ArrayList<>();
    private final Map<String, String> tables = new HashMap<>();
    Result transactionResult = new Result(0, "", "");
    String sysctlValue = "1";

    /** Reads {@code <name>-bridge.json} and {@code <name>-inet.json}, each if it exists. */
    static RecordedNft of(String name) {
        RecordedNft r = new RecordedNft();
        for (String family : List.of("bridge", "inet")) {
            String text = resource(name + "-" + family + ".json");
            if (text != null) r.tables.put(family, text);
        }
        return r;
    }

    void put(String family, String json) { tables.put(family, json); }

    static String resource(String file) {
        try (InputStream in = RecordedNft.class.getResourceAsStream("/fw/" + file)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Result run(List<String> argv, String stdin) {
        calls.add(new Call(argv, stdin));
        int nft = argv.indexOf("nft");
        int sysctl = argv.indexOf("sysctl");
        if (sysctl >= 0) return new Result(0, argv.contains("-w") ? "" : sysctlValue + "\n", "");
        List<String> args = argv.subList(nft + 1, argv.size());
        if (args.equals(List.of("-f", "-"))) return transactionResult;
        if (args.size() == 5 && args.subList(0, 3).equals(List.of("-j", "list", "table")) && args.get(4).equals("skein")) {
            String table = tables.get(args.get(3));
            return table == null ? new Result(1, "", "Error: No such file or directory\nlist table " + args.get(3) + " skein\n")
                    : new Result(0, table, "");
        }
        throw new AssertionError("unexpected command " + argv);
    }

    List<Call> transactions() { return calls.stream().filter(c -> c.argv().contains("-f")).toList(); }

    List<String> lines() { return transactions().stream().flatMap(c -> c.stdin().lines()).toList(); }
}
