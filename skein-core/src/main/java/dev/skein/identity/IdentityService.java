package dev.skein.identity;

import dev.skein.error.NeutronException;
import dev.skein.policy.RequestContext;
import dev.skein.store.Store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** The standalone Keystone subset: one domain, password authentication, project-scoped signed tokens. */
public final class IdentityService {
    public static final String DOMAIN_ID = "default";
    public static final String DOMAIN_NAME = "Default";
    public static final String ADMIN = "admin";
    /** Keystone's default implied roles: admin implies member, member implies reader. */
    private static final List<String> ROLE_ORDER = List.of(RequestContext.ADMIN, RequestContext.MEMBER, RequestContext.READER);

    private final Store store;
    private final TokenCodec codec;
    private final Duration ttl;
    private final Clock clock;

    public IdentityService(Store store, TokenCodec codec, Duration ttl, Clock clock) {
        this.store = store;
        this.codec = codec;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Creates what the settings describe and is missing; returns true when the admin user was created now. */
    public boolean bootstrap(IdentitySettings s) {
        return store.write(tx -> {
            var repo = tx.identity();
            Project adminProject = repo.projectByName(DOMAIN_ID, ADMIN).orElseGet(() -> {
                Project p = new Project(newId(), DOMAIN_ID, ADMIN, "Bootstrap project for initializing the cloud.", true);
                repo.insertProject(p);
                return p;
            });
            boolean created = false;
            Optional<User> admin = repo.userByName(DOMAIN_ID, ADMIN);
            if (admin.isEmpty()) {
                if (s.adminPassword() == null) throw new IllegalStateException("no admin password to bootstrap with");
                User u = new User(newId(), DOMAIN_ID, ADMIN, PasswordHasher.hash(s.adminPassword()), adminProject.id(), true);
                repo.insertUser(u);
                repo.grant(u.id(), adminProject.id(), RequestContext.ADMIN);
                created = true;
            } else if (s.resetAdminPassword() && !PasswordHasher.verify(s.adminPassword(), admin.get().passwordHash())) {
                repo.updatePassword(admin.get().id(), PasswordHasher.hash(s.adminPassword()));
            }
            for (IdentitySettings.ProjectSpec ps : s.projects()) {
                if (repo.projectByName(DOMAIN_ID, ps.name()).isEmpty()) {
                    repo.insertProject(new Project(newId(), DOMAIN_ID, ps.name(), ps.description() == null ? "" : ps.description(), true));
                }
            }
            for (IdentitySettings.UserSpec us : s.users()) {
                Project p = repo.projectByName(DOMAIN_ID, us.project()).orElseThrow(() ->
                        new IllegalStateException("user " + us.name() + " names unknown project " + us.project()));
                User u = repo.userByName(DOMAIN_ID, us.name()).orElse(null);
                if (u == null) {
                    u = new User(newId(), DOMAIN_ID, us.name(), PasswordHasher.hash(us.password()), p.id(), true);
                    repo.insertUser(u);
                } else if (!PasswordHasher.verify(us.password(), u.passwordHash())) {
                    repo.updatePassword(u.id(), PasswordHasher.hash(us.password()));
                }
                Set<String> have = repo.roles(u.id(), p.id());
                for (String role : us.roles()) {
                    String r = role.toLowerCase(Locale.ROOT);
                    if (!ROLE_ORDER.contains(r)) throw new IllegalStateException("unknown role " + role + " for user " + us.name());
                    if (!have.contains(r)) repo.grant(u.id(), p.id(), r);
                }
            }
            return created;
        });
    }

    /**
     * Password authentication. The user is named by id or by name within a domain, the scope (optional) by
     * project id or by name within a domain; a scope the user has no role on is refused like a bad password.
     */
    public Token authenticate(UserRef user, String password, ProjectRef scope) {
        return store.read(tx -> {
            var repo = tx.identity();
            User u = (user.id() != null ? repo.user(user.id()) : domainOk(user.domainId(), user.domainName())
                    ? repo.userByName(DOMAIN_ID, user.name()) : Optional.<User>empty())
                    .filter(User::enabled)
                    .filter(x -> password != null && PasswordHasher.verify(password, x.passwordHash()))
                    .orElseThrow(IdentityService::unauthorized);
            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            if (scope == null) {
                return new Token(u.id(), u.name(), null, null, List.of(), now, expiry(), List.of("password"));
            }
            Project p = findProject(repo, scope);
            List<String> roles = effectiveRoles(repo.roles(u.id(), p.id()));
            if (roles.isEmpty()) throw unauthorized();
            return new Token(u.id(), u.name(), p.id(), p.name(), roles, now, expiry(), List.of("password"));
        });
    }

    /** A new token for the same user, scoped to another project (Keystone's "token" method). */
    public Token rescope(Token existing, ProjectRef scope) {
        return store.read(tx -> {
            var repo = tx.identity();
            User u = repo.user(existing.userId()).filter(User::enabled).orElseThrow(IdentityService::unauthorized);
            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            if (scope == null) {
                return new Token(u.id(), u.name(), null, null, List.of(), now, existing.expiresAt(), List.of("token"));
            }
            Project p = findProject(repo, scope);
            List<String> roles = effectiveRoles(repo.roles(u.id(), p.id()));
            if (roles.isEmpty()) throw unauthorized();
            return new Token(u.id(), u.name(), p.id(), p.name(), roles, now, existing.expiresAt(), List.of("token"));
        });
    }

    /**
     * Tokens carry whole seconds. The expiry is rounded up so every token is good for at least the configured
     * lifetime; rounded down, a 1-second token could be dead on arrival.
     */
    private Instant expiry() {
        Instant exact = clock.instant().plus(ttl);
        Instant whole = exact.truncatedTo(ChronoUnit.SECONDS);
        return whole.equals(exact) ? whole : whole.plusSeconds(1);
    }

    public String encode(Token t) { return codec.encode(t); }

    public Optional<Token> validate(String token) { return codec.decode(token); }

    /** The request context of a valid project-scoped token; 401 for anything else. */
    public RequestContext context(String token) {
        Token t = codec.decode(token).filter(Token::scoped).orElseThrow(NeutronException::notAuthenticated);
        return new RequestContext(t.userId(), t.userName(), t.projectId(), t.projectName(), Set.copyOf(t.roles()));
    }

    public Optional<Project> project(String id) { return store.read(tx -> tx.identity().project(id)); }

    public List<Project> projects(String name) {
        return store.read(tx -> name == null ? tx.identity().projects()
                : tx.identity().projectByName(DOMAIN_ID, name).map(List::of).orElse(List.of()));
    }

    /** The projects a user has a role on, optionally only the one with the given name. */
    public List<Project> projectsOf(String userId, String name) {
        return store.read(tx -> tx.identity().projectsOf(userId)).stream()
                .filter(p -> name == null || p.name().equals(name)).toList();
    }

    public Optional<User> user(String id) { return store.read(tx -> tx.identity().user(id)); }

    private static Project findProject(dev.skein.store.IdentityRepository repo, ProjectRef scope) {
        return (scope.id() != null ? repo.project(scope.id()) : domainOk(scope.domainId(), scope.domainName())
                ? repo.projectByName(DOMAIN_ID, scope.name()) : Optional.<Project>empty())
                .filter(Project::enabled).orElseThrow(IdentityService::unauthorized);
    }

    static List<String> effectiveRoles(Set<String> granted) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (int i = 0; i < ROLE_ORDER.size(); i++) {
            if (granted.contains(ROLE_ORDER.get(i))) out.addAll(ROLE_ORDER.subList(i, ROLE_ORDER.size()));
        }
        return new ArrayList<>(out);
    }

    private static boolean domainOk(String id, String name) {
        return (id == null || id.equals(DOMAIN_ID)) && (name == null || name.equals(DOMAIN_NAME)) ;
    }

    private static NeutronException unauthorized() {
        return new NeutronException(401, "Unauthorized", "The request you have made requires authentication.");
    }

    private static String newId() { return UUID.randomUUID().toString().replace("-", ""); }

    public record UserRef(String id, String name, String domainId, String domainName) {}

    public record ProjectRef(String id, String name, String domainId, String domainName) {}
}
