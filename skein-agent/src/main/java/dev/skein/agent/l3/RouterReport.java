package dev.skein.agent.l3;

import java.util.List;

/**
 * What one realisation of a host's routers did. changes are the changes sent to the kernel, one line each (empty
 * when it already matched); notes say what the plan holds that could not be realised and why; errors are the
 * tools' complaints, after which the next call reads the kernel back again.
 */
public record RouterReport(List<String> changes, List<String> notes, List<String> errors) {
    public RouterReport {
        changes = List.copyOf(changes);
        notes = List.copyOf(notes);
        errors = List.copyOf(errors);
    }

    public boolean changed() { return !changes.isEmpty(); }

    public boolean succeeded() { return errors.isEmpty(); }
}
