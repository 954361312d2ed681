// Switchboard visitor widget: placeholder until the widget lands.
