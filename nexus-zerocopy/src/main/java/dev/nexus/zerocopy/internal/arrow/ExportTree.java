package dev.nexus.zerocopy.internal.arrow;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One export of an {@code ArrowArray} or {@code ArrowSchema} tree: a root (the consumer's struct),
 * children we allocate in {@link SideMemory}, and what to do once every node is released (free the side
 * memory, drop the hold on the batch).
 *
 * <p>Release rules (CDataInterface, "Release callback semantics"): the consumer releases the root
 * only; the root's release releases every child still in place (its {@code release} not NULL). A
 * consumer may instead <em>move</em> a child out and release it on its own, later: the child's own
 * release then counts. Each node is released exactly once (its id is {@linkplain PrivateData#take taken}
 * once); the last one frees the side memory and runs {@code onLastRelease}.
 *
 * <p>Building is single-threaded (the exporting thread); {@link #publish} hands the tree over. After
 * that, releases may come from any thread, in any order, concurrently for moved children: the live node
 * count is atomic, and the one release that brings it to zero does the cleanup.
 */
public final class ExportTree {

    /** Which struct a tree is made of: where its release and children fields are. */
    public enum Kind {
        /** {@code ArrowArray} nodes. */
        ARRAY(CDataLayout.ARRAY_BYTES, CDataLayout.ARRAY_RELEASE, CDataLayout.ARRAY_PRIVATE_DATA),
        /** {@code ArrowSchema} nodes. */
        SCHEMA(CDataLayout.SCHEMA_BYTES, CDataLayout.SCHEMA_RELEASE, CDataLayout.SCHEMA_PRIVATE_DATA);

        final long bytes;
        final long release;
        final long privateData;

        Kind(long bytes, long release, long privateData) {
            this.bytes = bytes;
            this.release = release;
            this.privateData = privateData;
        }

        MemorySegment releaseCallback() {
            return this == ARRAY ? CDataCallbacks.RELEASE_ARRAY : CDataCallbacks.RELEASE_SCHEMA;
        }
    }

    private final Kind kind;
    private final SideMemory memory;
    private final Node root;
    private final List<Node> nodes = new ArrayList<>();
    private final AtomicInteger live = new AtomicInteger();
    private volatile Runnable onLastRelease;

    /**
     * A tree whose root struct is built in side memory and copied into the consumer's struct at publish.
     *
     * @param kind the struct kind
     * @param memory the side memory the nodes live in (owned by the tree from now on)
     */
    public ExportTree(Kind kind, SideMemory memory) {
        this.kind = kind;
        this.memory = memory;
        this.root = new Node(memory.allocate(kind.bytes, CDataLayout.STRUCT_ALIGNMENT));
        nodes.add(root);
    }

    /**
     * The side memory of this export.
     *
     * @return the side memory
     */
    public SideMemory memory() {
        return memory;
    }

    /**
     * The root node (its struct is a draft in side memory until {@link #publish}).
     *
     * @return the root
     */
    public Node root() {
        return root;
    }

    /**
     * Adds a child node with a zeroed struct in side memory. The caller writes the struct's fields and
     * links it into the parent's {@code children} array.
     *
     * @param parent the parent node
     * @return the child
     */
    public Node addChild(Node parent) {
        Node child = new Node(memory.allocate(kind.bytes, CDataLayout.STRUCT_ALIGNMENT));
        parent.children.add(child);
        nodes.add(child);
        return child;
    }

    /**
     * Registers every node, points their structs at our release callback and their ids, and copies the root
     * into the consumer's struct: from here on the consumer owns the tree. Nothing can fail after the
     * first registration but the copy into {@code target}, which the caller has bounds-checked.
     *
     * @param target the consumer's struct
     * @param whenAllReleased runs once, after the last node is released (on the releasing thread)
     */
    public void publish(MemorySegment target, Runnable whenAllReleased) {
        this.onLastRelease = whenAllReleased;
        live.set(nodes.size());
        for (Node node : nodes) {
            node.id = PrivateData.register(node);
            CDataLayout.setWord(node.struct, kind.privateData, node.id);
            CDataLayout.setWord(node.struct, kind.release, kind.releaseCallback().address());
        }
        MemorySegment.copy(root.struct, 0, target, 0, kind.bytes);
    }

    /**
     * Discards a tree that was never published: frees its side memory.
     */
    public void discard() {
        memory.free();
    }

    private void nodeReleased() {
        if (live.decrementAndGet() == 0) {
            try {
                memory.free();
            } finally {
                onLastRelease.run();
            }
        }
    }

    /** One struct of the tree. */
    public final class Node implements CDataCallbacks.ReleaseTarget {
        private final MemorySegment struct;
        private final List<Node> children = new ArrayList<>(0);
        private long id;

        private Node(MemorySegment struct) {
            this.struct = struct;
        }

        /**
         * This node's struct in side memory (for the root: the draft copied at publish).
         *
         * @return the struct
         */
        public MemorySegment struct() {
            return struct;
        }

        @Override
        public void release(MemorySegment received) {
            try {
                for (Node child : children) {
                    // a child still in place (not moved out by the consumer) is released with its parent
                    if (CDataLayout.word(child.struct, kind.release) != CDataLayout.NULL
                            && PrivateData.take(child.id) != null) {
                        child.release(child.struct);
                        CDataLayout.setWord(child.struct, kind.release, CDataLayout.NULL);
                    }
                }
            } finally {
                nodeReleased();
            }
        }
    }
}
