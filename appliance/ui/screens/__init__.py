"""One screen per step of the flow, in the manual's words. Screens only show state and
forward taps through their actions (:mod:`appliance.ui.screen_actions`); the app
implements them and runs the counter's work in the background."""
