package io.github.diffusion4j.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;

/**
 * One choice of a typed config axis (design.md, "Config": sealed variants with a {@code type:} key):
 * the axis is a sealed interface whose {@link JsonSubTypes} name each record; {@link #type()} is
 * that name, as written in YAML.
 */
public interface Typed {
    /** The {@code type:} name of this choice, e.g. {@code unet}, {@code heun}, {@code edm-f}. */
    default String type() {
        return nameOf(getClass());
    }

    /** The {@code type:} name that {@code choice}'s sealed axis gives it. */
    static String nameOf(Class<?> choice) {
        for (Class<?> axis : choice.getInterfaces()) {
            JsonSubTypes subtypes = axis.getAnnotation(JsonSubTypes.class);
            if (subtypes != null) {
                for (JsonSubTypes.Type t : subtypes.value()) {
                    if (t.value() == choice) {
                        return t.name();
                    }
                }
            }
        }
        throw new IllegalStateException(choice + " is not named in its axis's @JsonSubTypes");
    }
}
