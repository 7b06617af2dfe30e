package dev.skein.model;

import java.time.Instant;

/** What an agent keeps telling the controller: that it lives, and which revision of its host plan it has realised. */
public record AgentState(String agentId, Instant heartbeatAt, long realisedRevision) {}
