package io.twill.deploy;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Kubernetes RBAC, as far as Twill's manifests use it: rules expanded to single permissions per ServiceAccount, and
 * API requests turned into the attributes the authorizer checks (verb, group, resource[/subresource], namespace,
 * name), following the API server's request-info rules.
 */
final class Rbac {

    /**
     * One permission: {@code namespace} empty = every namespace and cluster-scoped objects (a ClusterRoleBinding);
     * {@code name} empty = any object (no resourceNames).
     */
    record Grant(String group, String resource, String verb, String namespace, String name) implements Comparable<Grant> {
        @Override
        public int compareTo(Grant o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return verb + " " + (group.isEmpty() ? "" : group + "/") + resource
                    + (namespace.isEmpty() ? "" : " in " + namespace) + (name.isEmpty() ? "" : " named " + name);
        }

        boolean allows(Request r) {
            return group.equals(r.group()) && resource.equals(r.resource()) && verb.equals(r.verb())
                    && (namespace.isEmpty() || namespace.equals(r.namespace()))
                    && (name.isEmpty() || name.equals(r.name()));
        }
    }

    /** What the authorizer sees of one request; {@code resource} includes "/subresource". */
    record Request(String verb, String group, String resource, String namespace, String name, String line) {
        @Override
        public String toString() {
            return line;
        }
    }

    private Rbac() {
    }

    /** Everything the manifests grant {@code serviceAccount} (in {@code namespace}), expanded. */
    static Set<Grant> granted(Manifests m, String namespace, String serviceAccount) {
        Set<Grant> out = new TreeSet<>();
        for (ClusterRoleBinding b : m.all(ClusterRoleBinding.class)) {
            if (binds(b.getSubjects(), namespace, serviceAccount)) {
                expand(rules(m, b.getRoleRef(), null), "", out);
            }
        }
        for (RoleBinding b : m.all(RoleBinding.class)) {
            if (binds(b.getSubjects(), namespace, serviceAccount)) {
                expand(rules(m, b.getRoleRef(), b.getMetadata().getNamespace()), b.getMetadata().getNamespace(), out);
            }
        }
        return out;
    }

    private static boolean binds(List<Subject> subjects, String namespace, String sa) {
        return subjects.stream().anyMatch(s -> s.getKind().equals("ServiceAccount") && s.getName().equals(sa)
                && namespace.equals(s.getNamespace()));
    }

    private static List<PolicyRule> rules(Manifests m, RoleRef ref, String bindingNamespace) {
        if (!"rbac.authorization.k8s.io".equals(ref.getApiGroup())) {
            throw new AssertionError("roleRef with apiGroup " + ref.getApiGroup());
        }
        return switch (ref.getKind()) {
            case "ClusterRole" -> m.one(ClusterRole.class, ref.getName()).getRules();
            case "Role" -> {
                if (bindingNamespace == null) {
                    throw new AssertionError("a ClusterRoleBinding cannot refer to Role " + ref.getName());
                }
                Role r = m.one(Role.class, ref.getName());
                if (!bindingNamespace.equals(r.getMetadata().getNamespace())) {
                    throw new AssertionError("RoleBinding in " + bindingNamespace + " refers to Role " + ref.getName()
                            + " of namespace " + r.getMetadata().getNamespace());
                }
                yield r.getRules();
            }
            default -> throw new AssertionError("roleRef kind " + ref.getKind());
        };
    }

    private static void expand(List<PolicyRule> rules, String namespace, Set<Grant> out) {
        for (PolicyRule r : rules) {
            if (!r.getNonResourceURLs().isEmpty()) {
                throw new AssertionError("Twill needs no nonResourceURLs: " + r.getNonResourceURLs());
            }
            List<String> names = r.getResourceNames().isEmpty() ? List.of("") : r.getResourceNames();
            for (String g : r.getApiGroups()) {
                for (String res : r.getResources()) {
                    for (String v : r.getVerbs()) {
                        for (String n : names) {
                            if (g.equals("*") || res.equals("*") || v.equals("*")) {
                                throw new AssertionError("wildcard in a Twill rule: " + r);
                            }
                            out.add(new Grant(g, res, v, namespace, n));
                        }
                    }
                }
            }
        }
    }

    /**
     * The authorizer's view of one HTTP request, or null for a path outside the resource API (discovery such as
     * /version or /apis, which every authenticated client may read through system:discovery).
     */
    static Request request(String method, String pathAndQuery) {
        URI uri = URI.create(pathAndQuery);
        String[] p = uri.getPath().replaceAll("^/+|/+$", "").split("/");
        List<String> rest;
        String group;
        if (p.length >= 3 && p[0].equals("api")) {
            group = "";
            rest = List.of(p).subList(2, p.length);
        } else if (p.length >= 4 && p[0].equals("apis")) {
            group = p[1];
            rest = List.of(p).subList(3, p.length);
        } else {
            return null;
        }
        String namespace = "";
        List<String> r = new ArrayList<>(rest);
        if (r.size() >= 3 && r.getFirst().equals("namespaces")) {
            namespace = r.get(1);
            r = r.subList(2, r.size());
        }
        String resource = r.getFirst();
        String name = r.size() >= 2 ? r.get(1) : "";
        if (r.size() >= 3) {
            resource = resource + "/" + r.get(2);
        }
        String query = uri.getQuery() == null ? "" : uri.getQuery();
        boolean watch = List.of(query.split("&")).contains("watch=true");
        String verb = switch (method) {
            case "GET" -> !name.isEmpty() ? "get" : watch ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name.isEmpty() ? "deletecollection" : "delete";
            default -> throw new AssertionError("unexpected HTTP method " + method + " " + pathAndQuery);
        };
        if (name.isEmpty() && (verb.equals("list") || verb.equals("watch"))) {
            // the API server authorizes a list/watch narrowed to metadata.name=x as one on the object x
            for (String q : query.split("&")) {
                String decoded = java.net.URLDecoder.decode(q, java.nio.charset.StandardCharsets.UTF_8);
                if (decoded.startsWith("fieldSelector=metadata.name=")) {
                    name = decoded.substring("fieldSelector=metadata.name=".length());
                }
            }
        }
        return new Request(verb, group, resource, namespace, name, method + " " + pathAndQuery);
    }
}
