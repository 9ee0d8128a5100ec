from . import (
    helpdesk_ticket_category,
    helpdesk_ticket,
    helpdesk_ticket_stage,
    ir_http,
    ir_module,
    osmd_account,
    osmd_announcement,
    res_company,
)
