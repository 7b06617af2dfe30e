package dev.skein.agent.fw;

import java.util.List;

/**
 * What one realisation did. commands are the lines of the single nft transaction sent (empty when the kernel
 * already matched); notes say what the plan could not express and what was repaired around the transaction;
 * errors are the tools' complaints, after which the next call starts again from what the kernel reports.
 */
public record FirewallReport(Mode mode, List<NftCommand> commands, List<String> notes, List<String> errors) {
    /** FULL read Skein's tables back from the kernel; INCREMENTAL diffed against the plan realised last. */
    public enum Mode { FULL, INCREMENTAL }

    public FirewallReport {
        commands = List.copyOf(commands);
        notes = List.copyOf(notes);
        errors = List.copyOf(errors);
    }

    public boolean changed() { return !commands.isEmpty(); }

    public boolean succeeded() { return errors.isEmpty(); }
}
