from . import helpdesk_ticket_category, helpdesk_ticket, helpdesk_ticket_stage, res_company
