package dev.skein.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/** One `skein agent` child process of the packaged jar, acting as the host of a network namespace, and its log. */
record AgentProcess(String host, Process process, Path log) {

    /** extra: further agent options (roles, bridge mappings, state directory). */
    static AgentProcess launch(Path logs, String serverUrl, String amqpUrl, String host, String localIp, String netns,
                               String... extra) throws IOException {
        Path jar = Path.of("target", "skein.jar").toAbsolutePath();
        if (!Files.exists(jar)) fail(jar + " is missing: run the data-plane test through mvn verify, which packages it first");
        Path log = logs.resolve("agent-" + host + "-" + System.nanoTime() + ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> argv = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar.toString(),
                "agent", "--host", host, "--local-ip", localIp, "--netns", netns, "--server", serverUrl,
                "--amqp-url", amqpUrl, "--heartbeat-interval", "2", "--resync-interval", "300"));
        argv.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SKEIN_AGENT_PASSWORD", TestCloud.ADMIN_PASSWORD);
        return new AgentProcess(host, pb.start(), log);
    }

    /** SIGKILL to the agent and, so that nothing is orphaned, to its children (its link monitor). */
    void kill() {
        List<ProcessHandle> family = Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList();
        family.forEach(ProcessHandle::destroyForcibly);
        family.forEach(p -> p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join());
    }

    void stop() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly();
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }
}
