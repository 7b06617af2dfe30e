package dev.skein.server;

import dev.skein.agent.host.AgentSettings.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** How an agent is told what its host is for and where to keep its files: options, agent YAML, all-in-one YAML. */
class AgentRolesConfigTest {
    @Test
    void rolesDefaultToBothAndAreCheckedByName() {
        assertEquals(EnumSet.allOf(Role.class), AgentCommand.roles(null));
        assertEquals(EnumSet.allOf(Role.class), AgentCommand.roles(List.of()));
        assertEquals(Set.of(Role.NETWORK), AgentCommand.roles(List.of("network")));
        assertEquals(EnumSet.allOf(Role.class), AgentCommand.roles(List.of("Compute", " network")));
        assertThrows(IllegalArgumentException.class, () -> AgentCommand.roles(List.of("router")));
    }

    @Test
    void theAgentTakesRepeatedOrCommaSeparatedRolesAndAStateDirectory() {
        AgentCommand a = new AgentCommand();
        new CommandLine(a).parseArgs("--role", "compute,network", "--role", "network", "--state-dir", "/tmp/skein-agent");
        assertEquals(List.of("compute", "network", "network"), a.roles);
        assertEquals(Path.of("/tmp/skein-agent"), a.stateDir);
    }

    @Test
    void theConfigFilesNameRolesAndStateDirectories(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("skein.yaml");
        Files.writeString(yaml, String.join("\n", "local_agent:", "  roles: [network]", "  state_dir: /srv/skein/agent", ""));
        SkeinConfig cfg = SkeinConfig.load(yaml);
        assertEquals(List.of("network"), cfg.localAgent.roles);
        assertEquals(Path.of("/srv/skein/agent"), cfg.localAgent.stateDir);
        assertEquals(List.of(), SkeinConfig.load(dir.resolve("absent.yaml")).localAgent.roles, "empty: both roles");
    }
}
