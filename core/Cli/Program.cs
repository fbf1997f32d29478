return 0; // placeholder: the owning work replaces this entry point
