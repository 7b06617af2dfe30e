package dev.skein.agent.l2;

import java.util.List;

/**
 * What one reconcile did. actions are the changes sent to the kernel (empty when it already matched the plan);
 * pluggedPorts are the ports whose interface is in its bridge once the actions are applied; waitingPorts have no
 * interface yet; notes say what could not be realised and why; errors are the tools' complaints, in which case
 * the next reconcile starts again from what the kernel then reports.
 */
public record ReconcileReport(List<Action> actions, List<String> pluggedPorts, List<String> waitingPorts,
                              List<String> notes, List<String> errors) {
    public ReconcileReport {
        actions = List.copyOf(actions);
        pluggedPorts = List.copyOf(pluggedPorts);
        waitingPorts = List.copyOf(waitingPorts);
        notes = List.copyOf(notes);
        errors = List.copyOf(errors);
    }

    public boolean changed() { return !actions.isEmpty(); }

    public boolean succeeded() { return errors.isEmpty(); }
}
