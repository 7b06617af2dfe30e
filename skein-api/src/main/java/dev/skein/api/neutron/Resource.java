package dev.skein.api.neutron;

import dev.skein.policy.RequestContext;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/** What the generic routes need from one Neutron resource type; one implementation per resource. */
interface Resource<T> {
    String collection();

    String member();

    /** The URL path segment under /v2.0, where it differs from the collection key (rbac-policies). */
    default String path() { return collection(); }

    /** Whether the resource has standard-attribute tags and so the /tags routes. */
    default boolean taggable() { return true; }

    /** Attribute names of the rendered resource, which are also the names one may filter and sort on. */
    Set<String> attributes(RequestContext ctx);

    T create(RequestContext ctx, Map<String, Object> body);

    List<T> createBulk(RequestContext ctx, List<Map<String, Object>> bodies);

    T get(RequestContext ctx, String id);

    List<T> list(RequestContext ctx);

    T update(RequestContext ctx, String id, Map<String, Object> body, Long ifRevision);

    void delete(RequestContext ctx, String id, Long ifRevision);

    T updateTags(RequestContext ctx, String id, UnaryOperator<List<String>> change);

    List<String> tags(T item);

    List<Map<String, Object>> render(RequestContext ctx, List<T> items);

    /**
     * Member actions beyond CRUD, each answering PUT /v2.0/{collection}/{id}/{name} with 200 and the body it
     * returns, as Neutron's routers do for add_router_interface.
     */
    default Map<String, Action> actions() { return Map.of(); }

    @FunctionalInterface
    interface Action {
        Map<String, Object> apply(RequestContext ctx, String id, Map<String, Object> body);
    }
}
