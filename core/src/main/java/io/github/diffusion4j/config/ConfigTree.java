package io.github.diffusion4j.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Config trees checked against the config records: a record's components are its keys; a typed
 * axis ({@link Typed}) is a mapping with {@code type:} (or the type name alone) whose other keys
 * are those of the chosen record; lists of records are merged item by item onto the item
 * defaults. Defaults are each record's {@code DEFAULT} instance turned into a tree.
 */
final class ConfigTree {
    /** A round-1 key of a section that now lives inside one of its typed sections. */
    private record Moved(String into, boolean ignoredWhereInapplicable) {}

    /**
     * Round-1 spellings kept: {@code sampling.rho} is the Karras grid's ρ, {@code sampling.sChurn}
     * the sampler's S_churn (ignored by samplers without churn, as round 1 ignored it).
     */
    private static final Map<Class<?>, Map<String, Moved>> MOVED = Map.of(ExperimentConfig.SamplingConfig.class,
            Map.of("rho", new Moved("discretisation", false), "sChurn", new Moved("sampler", true)));

    private final ObjectMapper mapper;

    ConfigTree(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The keys of record {@code type} and their declared types, in declaration order. */
    static Map<String, Type> keys(Class<?> type) {
        Map<String, Type> out = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            out.put(c.getName(), c.getGenericType());
        }
        return out;
    }

    /** The records of typed axis {@code axis} by {@code type:} name, in declaration order. */
    static Map<String, Class<?>> choices(Class<?> axis) {
        Map<String, Class<?>> out = new LinkedHashMap<>();
        for (JsonSubTypes.Type t : axis.getAnnotation(JsonSubTypes.class).value()) {
            out.put(t.name(), t.value());
        }
        return out;
    }

    static boolean isTyped(Class<?> c) {
        return c.isInterface() && c.isAnnotationPresent(JsonSubTypes.class);
    }

    private static Class<?> raw(Type t) {
        return t instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) t;
    }

    private static boolean isStructured(Class<?> c) {
        return c.isRecord() || isTyped(c);
    }

    private static Type element(Type list) {
        return ((ParameterizedType) list).getActualTypeArguments()[0];
    }

    /** The defaults of record {@code type} as a tree (a typed choice's tree starts with its {@code type}). */
    ObjectNode defaults(Class<?> type) {
        Object value;
        try {
            Field f = type.getDeclaredField("DEFAULT");
            f.setAccessible(true);
            value = f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type + " has no static DEFAULT instance", e);
        }
        ObjectNode tree = mapper.valueToTree(value);
        if (!Typed.class.isAssignableFrom(type)) {
            return tree;
        }
        ObjectNode typed = mapper.createObjectNode();
        typed.put("type", Typed.nameOf(type));
        tree.properties().forEach(e -> {
            if (!e.getKey().equals("type")) {
                typed.set(e.getKey(), e.getValue());
            }
        });
        return typed;
    }

    /** The record whose keys {@code node} holds: {@code type} itself, or the choice a typed node names. */
    private static Class<?> recordOf(JsonNode node, Class<?> type) {
        return isTyped(type) ? choices(type).get(node.get("type").asString()) : type;
    }

    /** Overlays mapping {@code over} onto {@code base}, a tree of record {@code type}; unknown keys are rejected by name. */
    void merge(ObjectNode base, JsonNode over, Class<?> type, String prefix) {
        Map<String, Type> keys = keys(type);
        Map<String, Moved> moved = MOVED.getOrDefault(type, Map.of());
        List<Map.Entry<String, JsonNode>> later = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : over.properties()) {
            if (moved.containsKey(e.getKey())) {
                later.add(e);
                continue;
            }
            Type t = keys.get(e.getKey());
            if (t == null) {
                throw unknown(base, keys, e.getKey(), prefix, type);
            }
            set(base, e.getKey(), e.getValue(), t, prefix + e.getKey());
        }
        for (Map.Entry<String, JsonNode> e : later) {
            Moved m = moved.get(e.getKey());
            ObjectNode section = (ObjectNode) base.get(m.into());
            Class<?> axis = raw(keys.get(m.into()));
            Class<?> choice = recordOf(section, axis);
            Type t = keys(choice).get(e.getKey());
            if (t != null) {
                set(section, e.getKey(), e.getValue(), t, prefix + e.getKey());
            } else if (!m.ignoredWhereInapplicable()) {
                throw new ConfigException("config key '" + prefix + e.getKey() + "' applies to no " + prefix + m.into()
                        + " but " + choicesWith(axis, e.getKey()) + "; " + prefix + m.into() + " is '" + section.get("type").asString() + "'");
            }
        }
    }

    private static String choicesWith(Class<?> axis, String key) {
        List<String> names = new ArrayList<>();
        choices(axis).forEach((name, c) -> {
            if (keys(c).containsKey(key)) {
                names.add(name);
            }
        });
        return String.join(", ", names);
    }

    private static ConfigException unknown(ObjectNode base, Map<String, Type> keys, String key, String prefix, Class<?> type) {
        if (type == ExperimentConfig.class && Shorthand.STAGE_KEYS.contains(key)) {
            return new ConfigException("config key '" + key + "' cannot be used with 'stages': each stage holds its own "
                    + String.join(", ", Shorthand.STAGE_KEYS));
        }
        if (type == Shorthand.class && key.equals("stages")) {
            return new ConfigException("config key 'stages' cannot be added to a config that uses the one-stage keys "
                    + String.join(", ", Shorthand.STAGE_KEYS) + "; write the config with a stages list instead");
        }
        List<String> known = new ArrayList<>(keys.keySet());
        if (isTypedNode(base)) {
            known.add(0, "type");
        }
        return new ConfigException("unknown config key '" + prefix + key + "'" + ConfigLoader.suggestion(known, key, prefix));
    }

    private static boolean isTypedNode(ObjectNode node) {
        return node.has("type");
    }

    /** Sets {@code parent.name} to {@code value} of declared type {@code t}: mappings merge, lists and values replace. */
    private void set(ObjectNode parent, String name, JsonNode value, Type t, String key) {
        Class<?> c = raw(t);
        if (c.isRecord()) {
            if (!value.isObject()) {
                throw new ConfigException("config key '" + key + "' must be a mapping");
            }
            merge((ObjectNode) parent.get(name), value, c, key + ".");
        } else if (isTyped(c)) {
            parent.set(name, choose((ObjectNode) parent.get(name), value, c, key));
        } else if (c == List.class && isStructured(raw(element(t)))) {
            if (!value.isArray()) {
                throw new ConfigException("config key '" + key + "' must be a list");
            }
            Class<?> item = raw(element(t));
            ArrayNode list = mapper.createArrayNode();
            for (int i = 0; i < value.size(); i++) {
                list.add(item(item, null, value.get(i), key + "[" + i + "]"));
            }
            parent.set(name, list);
        } else {
            parent.set(name, value);
        }
    }

    /** A list item of record or typed axis {@code item}: {@code value} over {@code base} (null: the item's defaults). */
    private ObjectNode item(Class<?> item, ObjectNode base, JsonNode value, String key) {
        if (isTyped(item)) {
            return choose(base, value, item, key);
        }
        if (!value.isObject()) {
            throw new ConfigException("config key '" + key + "' must be a mapping");
        }
        ObjectNode tree = base != null ? base : defaults(item);
        merge(tree, value, item, key + ".");
        return tree;
    }

    /**
     * A typed section: {@code value} (a mapping, or a type name alone) over {@code base}. A new
     * {@code type} starts from that choice's defaults; keys are checked against the chosen record.
     */
    private ObjectNode choose(ObjectNode base, JsonNode value, Class<?> axis, String key) {
        Map<String, Class<?>> choices = choices(axis);
        ObjectNode over;
        if (value.isString()) {
            over = mapper.createObjectNode().put("type", value.asString());
        } else if (value.isObject()) {
            over = (ObjectNode) value;
        } else {
            boolean named = choices.values().stream().anyMatch(c -> c.getRecordComponents().length == 0);
            throw new ConfigException("config key '" + key + "' must be " + (named ? "a type name or " : "") + "a mapping");
        }
        String current = base == null ? null : base.get("type").asString();
        JsonNode given = over.get("type");
        String chosen = given == null ? current : given.isString() ? given.asString() : null;
        if (chosen == null || !choices.containsKey(chosen)) {
            String shown = value.isString() ? key : key + ".type";
            throw new ConfigException("config key '" + shown + "' must be one of " + List.copyOf(choices.keySet()) + ", got '"
                    + (given == null ? null : given.isString() ? given.asString() : given.toString()) + "'");
        }
        ObjectNode tree = chosen.equals(current) ? base : defaults(choices.get(chosen));
        ObjectNode rest = over.deepCopy();
        rest.remove("type");
        merge(tree, rest, choices.get(chosen), key + ".");
        return tree;
    }

    /**
     * Applies {@code --set key=value} to {@code tree} (of record {@code root}): {@code key} is a
     * dotted path whose parts may carry list indices, {@code stages[1].model.baseChannels} or
     * {@code model.channelMult[0]}; the last part is merged like a key of a file.
     */
    void set(ObjectNode tree, Class<?> root, String key, JsonNode value) {
        List<Object> path = parsePath(key);
        JsonNode node = tree;
        Type type = root;
        JsonNode container = null;
        Object slot = null;
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < path.size(); i++) {
            Object part = path.get(i);
            boolean last = i == path.size() - 1;
            if (part instanceof String name) {
                if (!node.isObject()) {
                    throw new ConfigException("--set " + key + ": config key '" + shown + "' is not a mapping");
                }
                Class<?> record = recordOf(node, raw(type));
                String prefix = shown.isEmpty() ? "" : shown + ".";
                if (last && name.equals("type") && isTyped(raw(type))) {
                    ObjectNode chosen = choose((ObjectNode) node, mapper.createObjectNode().set(name, value), raw(type), shown.toString());
                    if (container instanceof ObjectNode o) {
                        o.set((String) slot, chosen);
                    } else {
                        ((ArrayNode) container).set((Integer) slot, chosen);
                    }
                    return;
                }
                if (last) {
                    merge((ObjectNode) node, mapper.createObjectNode().set(name, value), record, prefix);
                    return;
                }
                Type t = keys(record).get(name);
                if (t == null) {
                    throw unknown((ObjectNode) node, keys(record), name, prefix, record);
                }
                shown.append(prefix.isEmpty() ? "" : ".").append(name);
                if (!isStructured(raw(t)) && raw(t) != List.class) {
                    throw new ConfigException("--set " + key + ": config key '" + shown + "' is a value, not a mapping or a list");
                }
                container = node;
                slot = name;
                node = node.get(name);
                type = t;
            } else {
                int index = (Integer) part;
                if (raw(type) != List.class || !node.isArray()) {
                    throw new ConfigException("--set " + key + ": config key '" + shown + "' is not a list");
                }
                if (index >= node.size()) {
                    throw new ConfigException("--set " + key + ": config key '" + shown + "' has " + node.size()
                            + " items, no index " + index);
                }
                Type item = element(type);
                String itemKey = shown + "[" + index + "]";
                if (last) {
                    ArrayNode list = (ArrayNode) node;
                    list.set(index, isStructured(raw(item)) ? item(raw(item), (ObjectNode) list.get(index), value, itemKey) : value);
                    return;
                }
                shown.append('[').append(index).append(']');
                container = node;
                slot = index;
                node = node.get(index);
                type = item;
            }
        }
    }

    private static List<Object> parsePath(String key) {
        List<Object> path = new ArrayList<>();
        for (String part : key.split("\\.", -1)) {
            int bracket = part.indexOf('[');
            String name = bracket < 0 ? part : part.substring(0, bracket);
            if (name.isEmpty()) {
                throw badPath(key);
            }
            path.add(name);
            String rest = bracket < 0 ? "" : part.substring(bracket);
            while (!rest.isEmpty()) {
                int close = rest.indexOf(']');
                if (!rest.startsWith("[") || close < 2 || !rest.substring(1, close).chars().allMatch(Character::isDigit)
                        || close > 10) {
                    throw badPath(key);
                }
                path.add(Integer.parseInt(rest.substring(1, close)));
                rest = rest.substring(close + 1);
            }
        }
        return path;
    }

    private static ConfigException badPath(String key) {
        return new ConfigException("--set " + key + ": a key is dot-separated names, each with optional [index], e.g. "
                + "stages[1].model.baseChannels");
    }

    /** {@code tree} (of record {@code type}) with every typed section whose choice has no other keys written as its type name. */
    JsonNode collapse(JsonNode tree, Type type) {
        Class<?> c = raw(type);
        if (isTyped(c)) {
            Class<?> choice = recordOf(tree, c);
            if (choice.getRecordComponents().length == 0) {
                return tree.get("type");
            }
            collapseKeys((ObjectNode) tree, choice);
        } else if (c.isRecord()) {
            collapseKeys((ObjectNode) tree, c);
        } else if (c == List.class && isStructured(raw(element(type)))) {
            ArrayNode list = (ArrayNode) tree;
            for (int i = 0; i < list.size(); i++) {
                list.set(i, collapse(list.get(i), element(type)));
            }
        }
        return tree;
    }

    private void collapseKeys(ObjectNode node, Class<?> record) {
        keys(record).forEach((name, t) -> {
            if (node.has(name)) {
                node.set(name, collapse(node.get(name), t));
            }
        });
    }
}
