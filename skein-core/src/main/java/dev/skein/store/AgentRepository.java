package dev.skein.store;

import dev.skein.model.Agent;
import dev.skein.model.AgentState;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Registered agents; (agent_type, host) is unique in the database. */
public interface AgentRepository {
    Optional<Agent> get(String id);

    Optional<Agent> byHost(String agentType, String host);

    List<Agent> list();

    /** Agents of the given type on the given hosts, for the underlay addresses a plan needs. */
    List<Agent> onHosts(String agentType, Collection<String> hosts);

    /** Inserts the agent; false if one of its type is already registered on its host. */
    boolean tryInsert(Agent a);

    void update(Agent a);

    void delete(String id);

    Optional<AgentState> state(String agentId);

    List<AgentState> states();

    /** Records a heartbeat; false if the agent does not exist (any more). */
    boolean heartbeat(String agentId, Instant at);

    /** Raises the realised revision (never lowers it); false if the agent does not exist. */
    boolean realised(String agentId, long revision);
}
