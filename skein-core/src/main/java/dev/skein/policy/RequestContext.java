package dev.skein.policy;

import java.util.Set;

/** Who is asking: the identity a verified token carries. */
public record RequestContext(String userId, String userName, String projectId, String projectName, Set<String> roles) {

    public static final String ADMIN = "admin";
    public static final String MEMBER = "member";
    public static final String READER = "reader";

    public boolean isAdmin() { return roles.contains(ADMIN); }

    /** Readers may look but not change; admin and member imply write access. */
    public boolean canWrite() { return roles.contains(ADMIN) || roles.contains(MEMBER); }

    public static RequestContext system() {
        return new RequestContext("skein", "skein", "", "", Set.of(ADMIN));
    }
}
