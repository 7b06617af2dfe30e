package dev.skein.store;

import dev.skein.model.RbacPolicy;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** RBAC policies; (object, type, action, target) is unique in the database. */
public interface RbacPolicyRepository {
    Optional<RbacPolicy> get(String id);

    Optional<RbacPolicy> lock(String id);

    /** All policies, or only those a project owns when ownedBy != null. */
    List<RbacPolicy> list(String ownedBy);

    List<RbacPolicy> onObject(String objectType, String objectId);

    Optional<RbacPolicy> find(String objectType, String objectId, String action, String target);

    /** Inserts the policy; false if an equal one (same object, action and target) exists. */
    boolean tryInsert(RbacPolicy p);

    /** Changes the target; false if that would duplicate another policy. */
    boolean tryUpdateTarget(String id, String target);

    void delete(String id);

    /** The actions of the policies on the object that target the project or every project. */
    Set<String> grants(String objectType, String objectId, String projectId);

    /** Ids of the objects with a policy for this action that names exactly this project (not '*'). */
    Set<String> objectsGranting(String objectType, String action, String projectId);

    /**
     * Ports on the network that would lose their access_as_shared grant if the given policy went away: ports of
     * the policy's target (of every project for '*') other than the owner's, not covered by any other policy.
     */
    long portsDependingOn(RbacPolicy policy, String networkOwner);
}
