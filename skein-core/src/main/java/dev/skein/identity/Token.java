package dev.skein.identity;

import java.time.Instant;
import java.util.List;

/** What a token asserts. A token without a project is unscoped: it proves identity but grants no roles. */
public record Token(String userId, String userName, String projectId, String projectName, List<String> roles,
                    Instant issuedAt, Instant expiresAt, List<String> methods) {
    public boolean scoped() { return projectId != null && !projectId.isEmpty(); }
}
