package dev.skein.agent.fw;

import dev.skein.agent.fw.NftState.ChainState;
import dev.skein.agent.fw.NftState.SetState;
import dev.skein.agent.fw.NftState.Signature;
import dev.skein.agent.fw.NftState.TableState;
import dev.skein.plan.fw.FirewallPlan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The difference between a {@link FirewallPlan} and a {@link NftState}, as the lines of one nft transaction.
 * Pure.
 *
 * <p>Only the plan's tables are looked at and only they are named in commands, so the operator's tables are
 * never touched. Nothing is flushed wholesale: a chain whose rules differ is flushed and refilled inside the
 * transaction (atomic, so no packet ever sees it empty), sets and maps change element by element, and a chain
 * or set is deleted only when the plan no longer has it or its kind (hook, type) is wrong.
 *
 * <p>The order of the lines follows the kernel's reference rules: elements that point at chains go before the
 * chains, rules that use sets are flushed before the sets are deleted, new sets and chains exist before the
 * rules and elements that use them.
 */
public final class FirewallDiff {
    /** Names the compiler derives from ids: letters, digits and hyphens. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");
    /** No braces (the plan never uses anonymous sets), no ';', '#', '$' or newlines (no second command). */
    private static final Pattern TEXT = Pattern.compile("[A-Za-z0-9 .:/@&|!=,\"_-]+");
    private static final int ELEMENTS_PER_LINE = 256;

    private final List<NftCommand> addTables = new ArrayList<>();
    private final List<NftCommand> deleteElements = new ArrayList<>();
    private final List<NftCommand> flushChains = new ArrayList<>();
    private final List<NftCommand> deleteChains = new ArrayList<>();
    private final List<NftCommand> deleteSets = new ArrayList<>();
    private final List<NftCommand> addSets = new ArrayList<>();
    private final List<NftCommand> addChains = new ArrayList<>();
    private final List<NftCommand> addRules = new ArrayList<>();
    private final List<NftCommand> addElements = new ArrayList<>();

    private FirewallDiff() {}

    public static List<NftCommand> compute(FirewallPlan plan, NftState state) {
        FirewallDiff d = new FirewallDiff();
        for (FirewallPlan.Table t : plan.tables()) d.table(t, state.table(t));
        List<NftCommand> out = new ArrayList<>();
        for (List<NftCommand> part : List.of(d.addTables, d.deleteElements, d.flushChains, d.deleteChains, d.deleteSets,
                d.addSets, d.addChains, d.addRules, d.addElements)) {
            out.addAll(part);
        }
        return out;
    }

    private void table(FirewallPlan.Table t, TableState have) {
        requireName(t.name());
        String spec = t.spec();
        Map<String, ChainState> chains = have == null ? Map.of() : have.chains();
        Map<String, SetState> sets = have == null ? Map.of() : have.sets();
        if (have == null) addTables.add(new NftCommand("add table " + spec, "table " + spec + " missing"));

        // Sets: which to create, which to recreate (wrong kind, unreadable elements), which to delete.
        Map<String, FirewallPlan.NamedSet> wantedSets = new LinkedHashMap<>();
        t.sets().forEach(s -> wantedSets.put(requireName(s.name()), s));
        Set<String> goneSets = new TreeSet<>();
        Map<String, String> recreateSets = new LinkedHashMap<>();
        for (SetState s : sets.values()) {
            FirewallPlan.NamedSet want = wantedSets.get(s.name());
            if (want == null) goneSets.add(s.name());
            else if (!s.signature().equals(Signature.of(want.kind()))) recreateSets.put(s.name(), "is " + describe(s.signature()));
            else if (s.elements() == null) recreateSets.put(s.name(), "holds elements Skein never writes");
        }

        // Chains: which to create, recreate (hook differs), rewrite (rules differ, or they use a set being replaced), delete.
        Map<String, FirewallPlan.Chain> wantedChains = new LinkedHashMap<>();
        t.chains().forEach(c -> wantedChains.put(requireName(c.name()), c));
        Set<String> replacedSets = new TreeSet<>(goneSets);
        replacedSets.addAll(recreateSets.keySet());
        Map<String, String> flush = new LinkedHashMap<>();
        Set<String> recreateChains = new TreeSet<>();
        Set<String> goneChains = new TreeSet<>();
        for (ChainState c : chains.values()) {
            FirewallPlan.Chain want = wantedChains.get(c.name());
            if (!NAME.matcher(c.name()).matches()) continue;
            if (want == null) {
                goneChains.add(c.name());
                if (c.hasRules()) flush.put(c.name(), "chain " + c.name() + " not in plan");
            } else if (!Objects.equals(c.hook(), want.hook())) {
                recreateChains.add(c.name());
                if (c.hasRules()) flush.put(c.name(), "chain " + c.name() + " has the wrong hook");
            } else if (!c.sameRules(want.rules())) {
                flush.put(c.name(), "rules of " + c.name() + " differ from the plan (" + c.size() + " in kernel, "
                        + want.rules().size() + " planned)");
            } else if (c.uses(replacedSets)) {
                flush.put(c.name(), c.name() + " uses a set that is being replaced");
            }
        }
        Set<String> retired = new TreeSet<>(goneChains);
        retired.addAll(recreateChains);

        // Elements first, because map elements that jump to retired chains must go before those chains can.
        for (FirewallPlan.NamedSet want : wantedSets.values()) {
            SetState s = sets.get(want.name());
            Set<String> target = new TreeSet<>(want.elements());
            if (s == null || recreateSets.containsKey(want.name())) {
                String why = s == null ? "missing" : recreateSets.get(want.name());
                if (s != null) deleteSets.add(new NftCommand("delete " + kind(s.signature()) + " " + spec + " " + want.name(),
                        want.name() + " " + why));
                addSets.add(new NftCommand("add " + (want.kind().map() ? "map" : "set") + " " + spec + " " + want.name()
                        + " { " + want.kind().declaration() + " }", want.name() + " " + why));
                elements(addElements, "add", spec, want.name(), List.copyOf(target), "elements of new " + want.name());
                continue;
            }
            List<String> remove = new ArrayList<>(), add = new ArrayList<>();
            for (String e : s.elements()) {
                if (!target.contains(e) || pointsAtAny(e, retired)) remove.add(e);
            }
            for (String e : target) {
                if (!s.elements().contains(e) || pointsAtAny(e, retired)) add.add(e);
            }
            List<String> keys = remove.stream().map(e -> want.kind().map() ? e.substring(0, e.indexOf(" : ")) : e).toList();
            elements(deleteElements, "delete", spec, want.name(), keys, "not in plan");
            elements(addElements, "add", spec, want.name(), add, "missing");
        }
        for (String name : goneSets) {
            if (NAME.matcher(name).matches()) {
                deleteSets.add(new NftCommand("delete " + kind(sets.get(name).signature()) + " " + spec + " " + name, name + " not in plan"));
            }
        }

        flush.forEach((name, why) -> flushChains.add(new NftCommand("flush chain " + spec + " " + name, why)));
        for (String name : retired) {
            deleteChains.add(new NftCommand("delete chain " + spec + " " + name,
                    goneChains.contains(name) ? name + " not in plan" : name + " has the wrong hook"));
        }
        for (FirewallPlan.Chain want : wantedChains.values()) {
            ChainState c = chains.get(want.name());
            if (c == null || recreateChains.contains(want.name())) {
                String decl = want.hook() == null ? "" : " { " + want.hook().declaration() + " }";
                addChains.add(new NftCommand("add chain " + spec + " " + want.name() + decl,
                        want.name() + (c == null ? " missing" : " recreated")));
                if (c == null) {
                    // "add chain" succeeds on an existing chain, so the rules must not land on top of old ones.
                    addChains.add(new NftCommand("flush chain " + spec + " " + want.name(), "start " + want.name() + " empty"));
                }
                rules(spec, want);
            } else if (flush.containsKey(want.name())) {
                rules(spec, want);
            }
        }
    }

    private void rules(String spec, FirewallPlan.Chain chain) {
        for (String rule : chain.rules()) {
            requireText(rule);
            addRules.add(new NftCommand("add rule " + spec + " " + chain.name() + " " + rule + " comment \"" + NftState.fingerprint(rule) + "\"",
                    "rule of " + chain.name()));
        }
    }

    private static void elements(List<NftCommand> into, String verb, String spec, String set, List<String> elements, String why) {
        for (int i = 0; i < elements.size(); i += ELEMENTS_PER_LINE) {
            List<String> chunk = elements.subList(i, Math.min(elements.size(), i + ELEMENTS_PER_LINE));
            chunk.forEach(FirewallDiff::requireText);
            into.add(new NftCommand(verb + " element " + spec + " " + set + " { " + String.join(", ", chunk) + " }",
                    chunk.size() + " element(s) of " + set + " " + why));
        }
    }

    private static boolean pointsAtAny(String element, Set<String> chains) {
        if (chains.isEmpty()) return false;
        int colon = element.indexOf(" : ");
        if (colon < 0) return false;
        String[] verdict = element.substring(colon + 3).split(" ");
        return verdict.length == 2 && chains.contains(verdict[1]);
    }

    private static String kind(Signature s) { return s.map() ? "map" : "set"; }

    private static String describe(Signature s) {
        return kind(s) + " of " + s.type() + (s.data() == null ? "" : " : " + s.data()) + (s.flags().isEmpty() ? "" : " " + s.flags());
    }

    private static String requireName(String name) {
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("refusing nft name '" + name + "'");
        return name;
    }

    /** Plans carry addresses and names from the API: refuse anything that could start a second command. */
    private static void requireText(String text) {
        if (!TEXT.matcher(text).matches()) throw new IllegalArgumentException("refusing nft text '" + text + "'");
    }
}
