package dev.skein.store.sql;

import dev.skein.identity.Project;
import dev.skein.identity.User;
import dev.skein.store.IdentityRepository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

final class SqlIdentity implements IdentityRepository {
    private final SqlTx tx;

    SqlIdentity(SqlTx tx) { this.tx = tx; }

    @Override
    public Optional<Project> project(String id) {
        return tx.handle().createQuery("SELECT * FROM projects WHERE id = :id").bind("id", id).map((rs, c) -> project(rs)).findOne();
    }

    @Override
    public Optional<Project> projectByName(String domainId, String name) {
        return tx.handle().createQuery("SELECT * FROM projects WHERE domain_id = :d AND name = :n")
                .bind("d", domainId).bind("n", name).map((rs, c) -> project(rs)).findOne();
    }

    @Override
    public List<Project> projects() {
        return tx.handle().createQuery("SELECT * FROM projects ORDER BY name").map((rs, c) -> project(rs)).list();
    }

    @Override
    public List<Project> projectsOf(String userId) {
        return tx.handle().createQuery("SELECT * FROM projects WHERE id IN (SELECT project_id FROM role_assignments WHERE user_id = :u) "
                + "ORDER BY name").bind("u", userId).map((rs, c) -> project(rs)).list();
    }

    @Override
    public void insertProject(Project p) {
        tx.handle().createUpdate("INSERT INTO projects (id, domain_id, name, description, enabled) VALUES (:id, :d, :n, :desc, :e)")
                .bind("id", p.id()).bind("d", p.domainId()).bind("n", p.name()).bind("desc", p.description())
                .bind("e", p.enabled()).execute();
    }

    @Override
    public Optional<User> user(String id) {
        return tx.handle().createQuery("SELECT * FROM users WHERE id = :id").bind("id", id).map((rs, c) -> user(rs)).findOne();
    }

    @Override
    public Optional<User> userByName(String domainId, String name) {
        return tx.handle().createQuery("SELECT * FROM users WHERE domain_id = :d AND name = :n")
                .bind("d", domainId).bind("n", name).map((rs, c) -> user(rs)).findOne();
    }

    @Override
    public void insertUser(User u) {
        tx.handle().createUpdate("INSERT INTO users (id, domain_id, name, password_hash, default_project_id, enabled) "
                        + "VALUES (:id, :d, :n, :h, :p, :e)")
                .bind("id", u.id()).bind("d", u.domainId()).bind("n", u.name()).bind("h", u.passwordHash())
                .bind("p", u.defaultProjectId()).bind("e", u.enabled()).execute();
    }

    @Override
    public void updatePassword(String userId, String passwordHash) {
        tx.handle().createUpdate("UPDATE users SET password_hash = :h WHERE id = :id").bind("h", passwordHash).bind("id", userId).execute();
    }

    @Override
    public Set<String> roles(String userId, String projectId) {
        return new HashSet<>(tx.handle().createQuery("SELECT role FROM role_assignments WHERE user_id = :u AND project_id = :p")
                .bind("u", userId).bind("p", projectId).mapTo(String.class).list());
    }

    @Override
    public void grant(String userId, String projectId, String role) {
        tx.handle().createUpdate("INSERT INTO role_assignments (user_id, project_id, role) VALUES (:u, :p, :r)")
                .bind("u", userId).bind("p", projectId).bind("r", role).execute();
    }

    private static Project project(ResultSet rs) throws SQLException {
        return new Project(rs.getString("id"), rs.getString("domain_id"), rs.getString("name"), rs.getString("description"),
                rs.getBoolean("enabled"));
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getString("id"), rs.getString("domain_id"), rs.getString("name"), rs.getString("password_hash"),
                rs.getString("default_project_id"), rs.getBoolean("enabled"));
    }
}
