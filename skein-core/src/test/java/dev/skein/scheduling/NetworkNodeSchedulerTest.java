package dev.skein.scheduling;

import dev.skein.model.Agent;
import dev.skein.model.AgentState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkNodeSchedulerTest {
    static final Duration DOWN = Duration.ofSeconds(75);
    static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    final Map<String, AgentState> states = new HashMap<>();

    Agent agent(String host, boolean adminUp, Instant heartbeat, String... roles) {
        Agent a = new Agent("id-" + host, Agent.SKEIN_AGENT_TYPE, Agent.SKEIN_AGENT_BINARY, host, "N/A", null, Map.of(),
                roles.length == 0 ? Map.of() : Map.of(Agent.ROLES, List.of(roles)), adminUp, "", NOW, NOW);
        if (heartbeat != null) states.put(a.id(), new AgentState(a.id(), heartbeat, 0));
        return a;
    }

    Agent node(String host) { return agent(host, true, NOW, "network"); }

    Optional<String> choose(List<Agent> agents, Map<String, Integer> load) {
        return NetworkNodeScheduler.choose(agents, states, load, DOWN, NOW).map(Agent::host);
    }

    @Test
    void theLeastLoadedNodeWinsAndEqualLoadsGoToTheFirstHostName() {
        List<Agent> nodes = List.of(node("c"), node("a"), node("b"));
        assertEquals(Optional.of("a"), choose(nodes, Map.of()));
        assertEquals(Optional.of("b"), choose(nodes, Map.of("a", 1)));
        assertEquals(Optional.of("c"), choose(nodes, Map.of("a", 2, "b", 2, "c", 1)));
        assertEquals(Optional.of("a"), choose(nodes, Map.of("a", 3, "b", 3, "c", 3)));
    }

    @Test
    void onlyLiveEnabledNetworkNodesAreChosen() {
        Agent compute = agent("a-compute", true, NOW, "compute");
        Agent noRoles = agent("b-unstated", true, NOW);
        Agent disabled = agent("c-disabled", false, NOW, "network");
        Agent dead = agent("d-dead", true, NOW.minus(DOWN).minusSeconds(1), "network", "compute");
        Agent silent = agent("e-silent", true, null, "network");
        Agent justAlive = agent("z-edge", true, NOW.minus(DOWN), "network");
        assertEquals(Optional.empty(), choose(List.of(compute, noRoles, disabled, dead, silent), Map.of()));
        assertEquals(Optional.of("z-edge"), choose(List.of(compute, noRoles, disabled, dead, silent, justAlive), Map.of("z-edge", 50)),
                "a heartbeat exactly agent_down_time old still counts");
    }

    @Test
    void aDisabledNodeStillServesWhatItHasButADeadOneDoesNot() {
        Agent disabled = agent("disabled", false, NOW, "network");
        Agent dead = agent("dead", true, NOW.minusSeconds(300), "network");
        Agent compute = agent("compute", true, NOW, "compute");
        assertTrue(NetworkNodeScheduler.serves(disabled, states.get(disabled.id()), DOWN, NOW));
        assertFalse(NetworkNodeScheduler.canHost(disabled, states.get(disabled.id()), DOWN, NOW));
        assertFalse(NetworkNodeScheduler.serves(dead, states.get(dead.id()), DOWN, NOW));
        assertFalse(NetworkNodeScheduler.serves(compute, states.get(compute.id()), DOWN, NOW));
    }
}
