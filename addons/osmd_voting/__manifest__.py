{
    "name": "OSMD Voting: co-owners' meetings",
    "summary": "Founding and general meetings of co-owners under Ukrainian law: the register by area from the "
    "ownerships on the meeting's day, notices, votes at the meeting, by written poll and online in the cabinet, the "
    "live tally against all co-owners' votes, the protocol",
    "version": "19.0.1.0.0",
    "category": "Services/Condominium",
    "license": "LGPL-3",
    "author": "OSMD",
    "website": "https://github.com/osmd-billing/osmd",
    "maintainers": ["osmd"],
    "depends": ["osmd_portal"],
    "data": [
        "security/osmd_voting_groups.xml",
        "security/ir.model.access.csv",
        "security/osmd_voting_security.xml",
        "data/osmd_voting_data.xml",
        "report/osmd_meeting_protocol.xml",
        "report/osmd_meeting_papers.xml",
        "wizard/osmd_ballot_entry_views.xml",
        "wizard/osmd_meeting_exchange_views.xml",
        "views/osmd_meeting_views.xml",
        "views/osmd_voting_rule_views.xml",
        "views/osmd_voting_menus.xml",
        "views/osmd_voting_templates.xml",
    ],
}
