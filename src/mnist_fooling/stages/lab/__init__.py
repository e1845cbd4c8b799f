"""The lab: one self-contained page (``report/lab.html``) that runs the three trained models in
the browser, reads a digit drawn with the mouse and runs fooling searches live."""
