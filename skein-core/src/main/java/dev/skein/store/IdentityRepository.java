package dev.skein.store;

import dev.skein.identity.Project;
import dev.skein.identity.User;

import java.util.List;
import java.util.Optional;
import java.util.Set;

public interface IdentityRepository {
    Optional<Project> project(String id);

    Optional<Project> projectByName(String domainId, String name);

    List<Project> projects();

    /** Projects the user has at least one role on, by name. */
    List<Project> projectsOf(String userId);

    void insertProject(Project p);

    Optional<User> user(String id);

    Optional<User> userByName(String domainId, String name);

    void insertUser(User u);

    void updatePassword(String userId, String passwordHash);

    Set<String> roles(String userId, String projectId);

    void grant(String userId, String projectId, String role);
}
