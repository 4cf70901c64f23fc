// Which actions of a relation the `publications` option lets through.
#include "options.h"
#include "pgtrail.h"

namespace pgtrail {

namespace {

// The relation and, for a partition, all its ancestors: a publication of any of them covers it.
List *relation_and_ancestors(Oid relid) {
    List *rels = list_make1_oid(relid);
    if (get_rel_relispartition(relid)) rels = list_concat(rels, get_partition_ancestors(relid));
    return rels;
}

bool publication_covers(const Publication *pub, List *rels) {
    if (pub->alltables) return true;
    ListCell *lc;
    foreach (lc, rels) {
        Oid relid = lfirst_oid(lc);
        if (list_member_oid(GetRelationPublications(relid), pub->oid)) return true;
        if (list_member_oid(GetSchemaPublications(get_rel_namespace(relid)), pub->oid)) return true;
    }
    return false;
}

}  // namespace

void publication_actions(const PluginOptions &options, Oid relid, Oid target_relid, bool *insert,
                         bool *update, bool *del, bool *truncate) {
    bool everything = options.publications.empty();
    *insert = *update = *del = *truncate = everything;
    if (everything) return;
    List *rels = relation_and_ancestors(relid);
    if (target_relid != relid) rels = list_append_unique_oid(rels, target_relid);
    for (const std::string &name : options.publications) {
        // Under the historic snapshot a publication created after this point of the WAL does not
        // exist yet: nothing is published by it (yet), as PostgreSQL 18's pgoutput does.
        Publication *pub = GetPublicationByName(name.c_str(), true);
        if (pub == nullptr) {
            ereport(WARNING, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("pgtrail: skipped loading publication \"%s\"", name.c_str()),
                              errdetail("The publication does not exist at this point in the WAL."),
                              errhint("Create the publication if it does not exist.")));
            continue;
        }
        if (!publication_covers(pub, rels)) continue;
        *insert |= pub->pubactions.pubinsert;
        *update |= pub->pubactions.pubupdate;
        *del |= pub->pubactions.pubdelete;
        *truncate |= pub->pubactions.pubtruncate;
    }
}

}  // namespace pgtrail
