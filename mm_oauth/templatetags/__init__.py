"""Template tags of mm_oauth: the {% mm_element %} tag its pages render through."""
