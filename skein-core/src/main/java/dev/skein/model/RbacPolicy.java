package dev.skein.model;

/**
 * A grant of access to one object for one project, or for every project when the target is {@value #ALL_PROJECTS}.
 * A network's {@code shared} flag stands for an {@value #ACCESS_SHARED} policy targeting every project, and its
 * {@code router:external} flag for the existence of any {@value #ACCESS_EXTERNAL} policy.
 */
public record RbacPolicy(String id, String projectId, String objectType, String objectId, String action,
                         String targetProject) {
    public static final String NETWORK = "network";
    public static final String ACCESS_SHARED = "access_as_shared";
    public static final String ACCESS_EXTERNAL = "access_as_external";
    public static final String ALL_PROJECTS = "*";

    public RbacPolicy withTarget(String target) {
        return new RbacPolicy(id, projectId, objectType, objectId, action, target);
    }

    public boolean targetsAll() { return ALL_PROJECTS.equals(targetProject); }
}
