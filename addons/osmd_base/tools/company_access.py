def check_own_associations(records, fname="company_id"):
    """Refuse ``records`` (wizards, mostly) whose association is not one of the user's.

    Transient models have no record rules: a wizard created over RPC with another association's
    id would otherwise run its searches and exports against that association (record rules then
    hide the records, but the wizard's own texts and counts still speak of it). The refusal names
    nothing of the other association. Checked on the real user (constraints run in sudo mode);
    only the superuser account (crons, data loading) is not restricted.
    """
    from odoo.exceptions import AccessError  # noqa: PLC0415  tools/ modules import without Odoo

    env = records.env
    if env.user._is_superuser():
        return
    allowed = env.user.company_ids
    if any(record[fname] and record[fname] not in allowed for record in records):
        raise AccessError(env._("You can only work on the data of your own association."))
