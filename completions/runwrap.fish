function _runwrap_completion;
    set -l response (env _RUNWRAP_COMPLETE=fish_complete COMP_WORDS=(commandline -cp) \
COMP_CWORD=(commandline -t) runwrap);
    set -l i 1;
    while test $i -le (count $response);
        set -l type $response[$i];
        set -l value "";
        set -l help "";
        if contains -- $type plain dir file;
            set value $response[(math $i + 1)];
            set help $response[(math $i + 2)];
            set i (math $i + 3);
        else;
            set -l parts (string split -m 1 "," -- $response[$i]);
            set type $parts[1];
            set value $parts[2];
            set i (math $i + 1);
        end;
        if test "$type" = "dir";
            __fish_complete_directories $value;
        else if test "$type" = "file";
            __fish_complete_path $value;
        else if test "$type" = "plain";
            if test -n "$help" -a "$help" != "_";
                printf '%s\t%s\n' $value $help;
            else;
                echo $value;
            end;
        end;
    end;
end;

complete --no-files --command runwrap --arguments \
"(_runwrap_completion)";
