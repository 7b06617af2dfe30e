package dev.skein.policy;

import dev.skein.error.NeutronException;
import dev.skein.model.Network;
import dev.skein.model.RbacPolicy;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static dev.skein.error.NeutronErrors.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyTest {
    private static final RequestContext ADMIN = ctx("p-admin", RequestContext.ADMIN);
    private static final RequestContext ALICE = ctx("p-alice", RequestContext.MEMBER);
    private static final RequestContext BOB = ctx("p-bob", RequestContext.MEMBER);
    private static final RequestContext READER = ctx("p-alice", RequestContext.READER);

    private static RequestContext ctx(String project, String... roles) {
        return new RequestContext("u-" + project, "user", project, project, Set.of(roles));
    }

    private static Network network(String project, boolean shared, boolean external) {
        Instant t = Instant.EPOCH;
        return new Network("n-1", project, "net", "", true, shared, external, 1450, true, "ACTIVE", null, List.of(), t, t, 1);
    }

    @Test
    void roles() {
        assertTrue(ADMIN.isAdmin());
        assertTrue(ADMIN.canWrite());
        assertFalse(ALICE.isAdmin());
        assertTrue(ALICE.canWrite());
        assertFalse(READER.isAdmin());
        assertFalse(READER.canWrite());
        assertFalse(ctx("p").canWrite());
        assertTrue(ctx("p", RequestContext.READER, RequestContext.MEMBER).canWrite());
        assertTrue(RequestContext.system().isAdmin());
    }

    @Test
    void readersMayNotWrite() {
        Policy.requireWrite(ALICE, "create_network");
        Policy.requireWrite(ADMIN, "create_network");
        NeutronException e = expect(403, "PolicyNotAuthorized", () -> Policy.requireWrite(READER, "create_network"));
        assertEquals("(create_network) is disallowed by policy", e.getMessage());
    }

    @Test
    void onlyAdminPassesRequireAdmin() {
        Policy.requireAdmin(ADMIN, "create_network:shared");
        NeutronException e = expect(403, "PolicyNotAuthorized", () -> Policy.requireAdmin(ALICE, "create_network:shared"));
        assertEquals("(create_network:shared) is disallowed by policy", e.getMessage());
        expect(403, "PolicyNotAuthorized", () -> Policy.requireAdmin(READER, "update_port:binding:host_id"));
    }

    @Test
    void ownership() {
        assertTrue(Policy.owns(ALICE, "p-alice"));
        assertFalse(Policy.owns(ALICE, "p-bob"));
        assertFalse(Policy.owns(ALICE, null));
        assertTrue(Policy.owns(ADMIN, "p-bob"));
        assertTrue(Policy.owns(READER, "p-alice"));
    }

    @Test
    void visibilityOfNetworksFollowsOwnershipAndGrants() {
        Network privateToBob = network("p-bob", false, false);
        assertFalse(Policy.canSee(ALICE, privateToBob, Set.of()));
        assertTrue(Policy.canSee(BOB, privateToBob, Set.of()));
        assertTrue(Policy.canSee(ADMIN, privateToBob, Set.of()));
        assertTrue(Policy.canSee(ALICE, privateToBob, Set.of(RbacPolicy.ACCESS_SHARED)), "shared with alice");
        assertTrue(Policy.canSee(ALICE, privateToBob, Set.of(RbacPolicy.ACCESS_EXTERNAL)), "external for alice");
        assertTrue(Policy.canSee(READER, network("p-alice", false, false), Set.of()), "readers see their own project");
    }

    @Test
    void portsGoOnOwnOrSharedNetworksButNotOnSomeoneElsesExternalOne() {
        Network bobs = network("p-bob", false, false);
        assertTrue(Policy.canAttachTo(ALICE, network("p-alice", false, false), Set.of()));
        assertTrue(Policy.canAttachTo(ALICE, bobs, Set.of(RbacPolicy.ACCESS_SHARED)));
        assertFalse(Policy.canAttachTo(ALICE, bobs, Set.of(RbacPolicy.ACCESS_EXTERNAL)));
        assertFalse(Policy.canAttachTo(ALICE, bobs, Set.of()));
        assertTrue(Policy.canAttachTo(ADMIN, bobs, Set.of()));
    }

    @Test
    void owningProjectOfANewResource() {
        assertEquals("p-alice", Policy.owningProject(ALICE, null, "create_network"));
        assertEquals("p-alice", Policy.owningProject(ALICE, "p-alice", "create_network"));
        assertEquals("p-admin", Policy.owningProject(ADMIN, null, "create_network"));
        assertEquals("p-bob", Policy.owningProject(ADMIN, "p-bob", "create_network"));
    }

    @Test
    void memberNamingAnotherProjectIsRefused() {
        NeutronException e = expect(403, "PolicyNotAuthorized", () -> Policy.owningProject(ALICE, "p-bob", "create_port"));
        assertEquals("(create_port:project_id) is disallowed by policy", e.getMessage());
    }
}
