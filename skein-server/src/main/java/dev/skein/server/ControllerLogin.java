package dev.skein.server;

import dev.skein.agent.host.HttpControllerClient;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of the commands that call the controller's API: where it is and whom to log in as. Each command
 * has its own fallbacks for them (the openstack CLI's environment variables, the agent's config file and its own
 * variables) and says so in its description; an option given on the command line always wins.
 */
final class ControllerLogin {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--server", paramLabel = "URL", description = "The controller, e.g. http://controller:9696.")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN", description = "A token to use instead of a password.")
    String token;

    @Option(names = "--user", paramLabel = "NAME", description = "User to authenticate as (default: admin).")
    String user;

    @Option(names = "--password", paramLabel = "PASSWORD", description = "That user's password.")
    String password;

    @Option(names = "--project", paramLabel = "NAME", description = "Project to scope the token to (default: admin).")
    String project;

    /** What a command takes for each option it was not given; null where it has nothing. */
    record Fallbacks(String token, String password, String user, String project) {}

    /**
     * A token if there is a non-empty one, else a password login (user and project default to admin);
     * fallbackNames says, in the usage error when there is neither, where else the command looks for them.
     */
    HttpControllerClient.Credentials credentials(Fallbacks fallbacks, String fallbackNames) {
        String t = token != null ? token : fallbacks.token();
        if (t != null && !t.isEmpty()) return HttpControllerClient.Credentials.token(t);
        String p = password != null ? password : fallbacks.password();
        if (p == null || p.isEmpty()) throw usage("give --token or --password (or " + fallbackNames + ")");
        return HttpControllerClient.Credentials.password(named(user, fallbacks.user()), p, named(project, fallbacks.project()));
    }

    /** A usage error of the command these options belong to. */
    CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(command.commandLine(), message);
    }

    private static String named(String given, String fallback) {
        if (given != null && !given.isEmpty()) return given;
        return fallback != null && !fallback.isEmpty() ? fallback : "admin";
    }
}
