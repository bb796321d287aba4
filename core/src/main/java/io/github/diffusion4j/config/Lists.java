package io.github.diffusion4j.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Immutable copies of config lists that keep a null (list or element) for the validator to name. */
final class Lists {
    private Lists() {}

    static <T> List<T> copyOf(List<T> list) {
        return list == null ? null : Collections.unmodifiableList(new ArrayList<>(list));
    }
}
