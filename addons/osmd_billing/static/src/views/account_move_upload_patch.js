import { patch } from "@web/core/utils/patch";
import { AccountMoveKanbanController } from "@account/views/account_move_kanban/account_move_kanban_controller";
import { AccountMoveListController } from "@account/views/account_move_list/account_move_list_controller";

/**
 * Odoo shows "Upload" (create invoices from files) on invoice lists and kanbans whatever the user's rights:
 * read-only staff (the audit commission) end in an access error. Offer it only to who may create invoices
 * (the server sets create="False" on the view when the user may not).
 * One extension object per patched class: patch() binds `super` to the object it is given.
 */
function uploadOnlyIfCreate() {
    return {
        setup() {
            super.setup(...arguments);
            this.showUploadButton = this.showUploadButton && this.props.archInfo.activeActions.create !== false;
        },
    };
}

patch(AccountMoveListController.prototype, uploadOnlyIfCreate());
patch(AccountMoveKanbanController.prototype, uploadOnlyIfCreate());
