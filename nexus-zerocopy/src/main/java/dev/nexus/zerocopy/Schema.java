package dev.nexus.zerocopy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The ordered fields of a {@link ColumnBatch}. Immutable, with value semantics; field names are
 * unique.
 */
public final class Schema {

    private final List<Field> fields;
    private final Map<String, Integer> indexByName;

    private Schema(List<Field> fields) {
        this.fields = List.copyOf(fields);
        if (this.fields.isEmpty()) {
            throw new IllegalArgumentException("a schema needs at least one field");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < this.fields.size(); i++) {
            Integer previous = index.put(this.fields.get(i).name(), i);
            if (previous != null) {
                throw new IllegalArgumentException("field names must be unique: '" + this.fields.get(i).name()
                        + "' at " + previous + " and " + i);
            }
        }
        this.indexByName = index;
    }

    /**
     * A schema of the given fields, in order.
     *
     * @param fields at least one field, names unique
     * @return the schema
     * @throws NullPointerException if a field is null
     * @throws IllegalArgumentException if there is no field or two share a name
     */
    public static Schema of(Field... fields) {
        return new Schema(List.of(fields));
    }

    /**
     * A schema of the given fields, in order.
     *
     * @param fields at least one field, names unique
     * @return the schema
     * @throws NullPointerException if the list or a field is null
     * @throws IllegalArgumentException if there is no field or two share a name
     */
    public static Schema of(List<Field> fields) {
        return new Schema(Objects.requireNonNull(fields, "fields"));
    }

    /**
     * The fields, in column order.
     *
     * @return an unmodifiable list
     */
    public List<Field> fields() {
        return fields;
    }

    /**
     * The field of a column.
     *
     * @param index the column index
     * @return its field
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
     */
    public Field field(int index) {
        return fields.get(Objects.checkIndex(index, fields.size()));
    }

    /**
     * The number of columns.
     *
     * @return at least 1
     */
    public int size() {
        return fields.size();
    }

    /**
     * The index of the column named {@code name}.
     *
     * @param name a field name
     * @return its column index
     * @throws IllegalArgumentException if no field has that name
     */
    public int indexOf(String name) {
        Integer index = indexByName.get(Objects.requireNonNull(name, "name"));
        if (index == null) {
            throw new IllegalArgumentException("no field named '" + name + "' in schema " + this);
        }
        return index;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schema other && fields.equals(other.fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
