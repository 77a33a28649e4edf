"""The demo: synthetic footage with visible events, a cut made of it, and a preview of the result."""
