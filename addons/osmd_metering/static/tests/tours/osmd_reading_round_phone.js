import { registry } from "@web/core/registry";

/** True when the page or the action's content scrolls sideways (wider than the screen). */
function scrollsSideways() {
    const page = document.scrollingElement;
    const boxes = [page, ...document.querySelectorAll(".o_action_manager, .o_content, .o_form_sheet_bg")];
    return boxes.some((el) => el.scrollWidth > el.clientWidth + 1);
}

function checkNoSideways(where) {
    return {
        content: `no horizontal scrolling: ${where}`,
        trigger: "body",
        run() {
            if (scrollsSideways()) {
                throw new Error(`The reading round scrolls sideways on a phone (${where}).`);
            }
        },
    };
}

/**
 * The engineer on a phone (390 px): loads the meters of the round, opens the first meter's card,
 * types the new value, sees the consumption and saves the round with the button in the sheet.
 */
registry.category("web_tour.tours").add("osmd_reading_round_phone", {
    steps: () => [
        {
            content: "load the meters (the button in the sheet: the header folds on a phone)",
            trigger: ".o_form_sheet button[name=action_load]:visible",
            run: "click",
        },
        {
            content: "the meters show as cards",
            trigger: ".o_field_widget[name=line_ids] .o_kanban_record:first:contains(Previous)",
        },
        checkNoSideways("the loaded round"),
        {
            content: "open the first meter",
            trigger: ".o_field_widget[name=line_ids] .o_kanban_record:first",
            run: "click",
        },
        {
            content: "type the new value",
            trigger: ".modal .o_field_widget[name=value1] input",
            run: "edit 1006 && click .modal-header",
        },
        {
            content: "the consumption before saving",
            trigger: ".modal .o_field_widget[name=consumption]:contains(6)",
        },
        checkNoSideways("the meter's dialog"),
        {
            content: "keep the value",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "the card shows the new value and its consumption",
            trigger: ".o_field_widget[name=line_ids] .o_kanban_record:first:contains(→ 6.0)",
        },
        checkNoSideways("the filled round"),
        {
            content: "save the readings with the visible primary button",
            trigger: ".o_form_sheet button[name=action_save]:visible",
            run: "click",
        },
        {
            content: "saved",
            trigger: ".o_notification:contains(1 readings saved)",
        },
    ],
});
